import Testing

@Test func placeholder_TrailIngestTests() {}
