import Testing

@Test func placeholder_TrailDecodeTests() {}
