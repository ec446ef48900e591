import Testing
import TrailJSON

@Suite struct JSONWriterTests {
    @Test func writesOrderedCompactJSON() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("b"); w.string("x\"y\n")
        w.key("a"); w.integer(3)
        w.key("list"); w.beginArray(); w.bool(true); w.null(); w.string("é"); w.endArray()
        w.key("obj"); w.beginObject(); w.key("k"); w.optionalString(nil); w.endObject()
        w.key("raw"); w.raw(Array("{\"r\":1}".utf8))
        w.endObject()
        #expect(w.text == #"{"b":"x\"y\n","a":3,"list":[true,null,"é"],"obj":{"k":null},"raw":{"r":1}}"#)
        // What the writer produces, the parser reads back.
        let doc = try JSONDocument(bytes: w.bytes)
        #expect(doc.root["b"]?.string == "x\"y\n")
    }

    @Test func escapesControlCharacters() {
        #expect(JSONWriter.quoted("a\u{1}b\tc\\") == #""a\u0001b\tc\\""#)
    }
}
