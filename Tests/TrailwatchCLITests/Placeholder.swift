import Testing

@Test func placeholder_TrailwatchCLITests() {}
