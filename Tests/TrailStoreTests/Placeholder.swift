import Testing

@Test func placeholder_TrailStoreTests() {}
