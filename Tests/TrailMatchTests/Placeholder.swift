import Testing

@Test func placeholder_TrailMatchTests() {}
