import Testing
@testable import TrailJSON

/// `JSONCursor`, the one tape walker: what it reads, that it agrees with `JSONValue`, and that
/// debug builds stop on an index outside the tape.
@Suite struct JSONCursorTests {
    private static let text = #"{"a": 1, "b": "two", "a": [true, false, null, 3.0e1], "k\u0065y": "x\ny", "e": "", "o": {"a": "in"}}"#

    @Test func readsMembersLastWinsAndMissingAsMinusOne() throws {
        let doc = try JSONDocument(text: Self.text)
        let root = doc.rootIndexes[0]
        doc.withCursor { c in
            #expect(c.kind(root) == .object)
            #expect(c.count(root) == 6)
            let a = c.member(root, "a")
            #expect(c.kind(a) == .array, "the last of two `a` members wins")
            #expect(c.count(a) == 4)
            #expect(c.member(root, "missing") == -1)
            #expect(c.member(-1, "a") == -1)
            #expect(c.member(a, "a") == -1, "an array has no members")
            // An escaped key is compared decoded.
            #expect(c.string(c.member(root, "key")) == "x\ny")
            #expect(c.string(c.member(c.member(root, "o"), "a")) == "in")
            #expect(c.next(root) == c.nodeCount)
        }
    }

    @Test func visitsMembersAndElementsInOrder() throws {
        let doc = try JSONDocument(text: Self.text)
        let root = doc.rootIndexes[0]
        doc.withCursor { c in
            var keys: [String] = []
            c.forEachMemberKey(root) { key, _ in keys.append(String(decoding: key, as: UTF8.self)) }
            #expect(keys == ["a", "b", "a", "key", "e", "o"])
            var kinds: [JSONKind] = []
            c.forEachElement(c.member(root, "a")) { kinds.append(c.kind($0)) }
            #expect(kinds == [.true, .false, .null, .number])
            var visits = 0
            c.forEachElement(root) { _ in visits += 1 }
            c.forEachMember(c.member(root, "a")) { _, _ in visits += 1 }
            c.forEachElement(-1) { _ in visits += 1 }
            #expect(visits == 0, "objects have no elements, arrays no members, -1 nothing")
        }
    }

    @Test func readsStringsInPlaceOrDecoded() throws {
        let doc = try JSONDocument(text: Self.text)
        let root = doc.rootIndexes[0]
        doc.withCursor { c in
            let plain = c.member(root, "b"), escaped = c.member(root, "key"), empty = c.member(root, "e")
            #expect(c.plainBytes(plain).map { Array($0) } == Array("two".utf8))
            #expect(c.plainBytes(escaped) == nil, "escaped strings are not handed out raw")
            #expect(c.plainBytes(c.member(root, "a")) == nil)
            #expect(c.decodedStringBytes(escaped) == Array("x\ny".utf8))
            #expect(c.withStringBytes(escaped) { Array($0) } == Array("x\ny".utf8))
            #expect(c.withStringBytes(empty) { $0.baseAddress != nil && $0.isEmpty } == true, "an empty in-place string still has an address")
            #expect(c.isString(plain, "two") == true)
            #expect(c.isString(plain, "tw") == false)
            #expect(c.isString(escaped, "x\ny") == true)
            #expect(c.isString(-1, "") == false)
            #expect(c.rawStringLength(escaped) == 4)
            #expect(c.rawStringLength(c.member(root, "a")) == -1)
            #expect(c.nonEmptyString(empty) == nil)
            #expect(c.string(empty) == "")
            #expect(c.string(-1) == nil)
            #expect(String(decoding: c.sourceBytes(plain), as: UTF8.self) == #""two""#)
            let bytes = Array(Self.text.utf8), quoted = Array(#""two""#.utf8)
            let at = (0...(bytes.count - quoted.count)).first { Array(bytes[$0..<$0 + quoted.count]) == quoted }
            #expect(c.byteOffset(plain) == at, "a string's offset is its opening quote")
        }
    }

    @Test func readsScalars() throws {
        let doc = try JSONDocument(text: #"[30, 3.0e1, 1.5, 1e400, true, false, null, "7"]"#)
        let elements = doc.withCursor { c in
            var out: [Int] = []
            c.forEachElement(doc.rootIndexes[0]) { out.append($0) }
            return out
        }
        doc.withCursor { c in
            #expect(elements.map { c.int64($0) } == [30, 30, nil, nil, nil, nil, nil, nil])
            #expect(c.double(elements[2]) == 1.5)
            #expect(elements.map { c.bool($0) } == [nil, nil, nil, nil, true, false, nil, nil])
            #expect(c.rawText(elements[1]) == "3.0e1")
            #expect(c.rawText(elements[7]) == #""7""#)
        }
    }

    /// `JSONValue` reads through the cursor; both give the same answers on every node.
    @Test func agreesWithJSONValueOnEveryNode() throws {
        let doc = try JSONDocument(text: #"{"Records":[{"eventID":"1","n":-2.5e3,"t":"\u00e9\ud800","x":[{},[]],"eventID":"2"}]}"#)
        doc.withCursor { c in
            for i in 0..<c.nodeCount {
                let v = JSONValue(document: doc, index: i)
                #expect(c.kind(i) == v.kind)
                #expect(c.string(i) == v.string)
                #expect(c.decodedStringBytes(i) == v.decodedStringBytes)
                #expect(c.byteOffset(i) == v.byteOffset)
                #expect(Array(c.sourceBytes(i)) == Array(v.rawBytes))
                #expect(c.int64(i) == v.int64)
                #expect(c.value(i).index == i)
            }
            let record = c.value(c.member(doc.rootIndexes[0], "Records") + 1)
            #expect(record["eventID"]?.string == "2")
        }
    }

    #if DEBUG
    /// Debug builds check every tape index; a walker bug stops there instead of reading memory
    /// outside the tape.
    @Test func debugBuildsStopOnAnIndexOutsideTheTape() async {
        await #expect(processExitsWith: .failure) {
            let doc = try JSONDocument(text: "[1]")
            _ = doc.withCursor { c in c.kind(c.nodeCount) }
        }
    }
    #endif
}
