import Testing

@Test func placeholder_TrailDetectTests() {}
