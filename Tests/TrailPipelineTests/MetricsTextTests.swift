import Testing
@testable import TrailPipeline

/// Label values come from records (`awsRegion`, `recipientAccountId`) and sink names.
@Suite struct MetricsTextTests {
    /// Escaped by Unicode scalar: `\r\n` is one `Character` that is not `\n`, and a quote or
    /// backslash followed by a combining mark is one `Character` that is neither, so both went
    /// out raw and broke every later scrape.
    @Test func labelValuesAreEscapedByScalar() {
        #expect(MetricsText.escape("x\ny\\z\"") == #"x\ny\\z\""#)
        #expect(MetricsText.escape("eu\"west\r\n1") == "eu\\\"west\u{FFFD}\\n1")
        #expect(MetricsText.escape("ap\\\"\u{301}x") == "ap\\\\\\\"\u{301}x")
        #expect(MetricsText.escape("1234\"\u{301}") == "1234\\\"\u{301}")
        #expect(!MetricsText.escape("a\u{1B}[31m\u{0}b").unicodeScalars.contains { $0.value < 0x20 })
        #expect(MetricsText.escape("eu-west-1") == "eu-west-1")
    }
}
