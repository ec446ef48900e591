import Testing
@testable import TrailJSON

@Suite struct JSONTapeWriterTests {
    /// A built document has exactly the tape that parsing its text gives.
    @Test func tapeEqualsParsedTape() throws {
        var w = JSONTapeWriter()
        w.beginObject()
        w.key("version"); w.string("0")
        w.key("quote\"d"); w.string("line\nbreak é")
        w.key("resources"); w.beginArray()
        w.rawString(ArraySlice(Array(#""arn:aws:kms:us-east-1:1:key/a""#.utf8)))
        w.rawString(ArraySlice(Array(#""with \"escape\"""#.utf8)))
        w.endArray()
        w.key("source")
        let service: [UInt8] = Array("secrets\"manager".utf8)
        service.withUnsafeBufferPointer { w.string(prefix: "aws.", utf8: $0) }
        w.key("empty"); w.beginArray(); w.endArray()
        w.key("nested"); w.beginObject(); w.key("k"); w.string(""); w.endObject()
        w.endObject()
        let built = w.finish()
        let parsed = try JSONDocument(bytes: built.bytes)
        #expect(built.nodes.count == parsed.nodes.count)
        for (a, b) in zip(built.nodes, parsed.nodes) {
            #expect(a.kind == b.kind && a.start == b.start && a.end == b.end && a.next == b.next && a.count == b.count && a.hasEscapes == b.hasEscapes)
        }
        #expect(built.root["quote\"d"]?.string == "line\nbreak é")
        #expect(built.root["source"]?.string == "aws.secrets\"manager")
        #expect(Array(built.root["resources"]!.elements).map { $0.string } == ["arn:aws:kms:us-east-1:1:key/a", "with \"escape\""])
    }
}
