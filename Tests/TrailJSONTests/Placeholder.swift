import Testing
@testable import TrailJSON

@Test func smoke() throws {
    let doc = try JSONDocument(text: #"{"a":[1,"x\u00e9\ud83d\ude00",true,null,{"b":-3.5e2}],"a":"last","c":"\\\""}"#)
    #expect(doc.root["a"]?.string == "last")
    #expect(doc.root.members.map { $0.key.string! } == ["a", "a", "c"])
    let arr = doc.root.members.first { _ in true }!.value
    #expect(arr.count == 5)
    let els = Array(arr.elements)
    #expect(els[1].string == "xé😀")
    #expect(els[4]["b"]?.numberText == "-3.5e2")
    #expect(els[4]["b"]?.double == -350)
    #expect(doc.root["c"]?.string == "\\\"")
    #expect(throws: JSONError.self) { try JSONDocument(text: "{\"a\":1,}") }
    do { _ = try JSONDocument(text: "[1, 2"); Issue.record("no error") } catch { #expect(error.offset == 5) }
}
