import Foundation
import Testing
@testable import TrailJSON
import TrailTestSupport

@Suite struct JSONParserTests {
    @Test func parsesScalarsAndKeepsNumberText() throws {
        let doc = try JSONDocument(text: #"[0, -0, 1.50, 3.0e2, 1E-7, 123456789012345678901234567890, true, false, null, ""]"#)
        let values = Array(doc.root.elements)
        #expect(values.map(\.kind) == [.number, .number, .number, .number, .number, .number, .true, .false, .null, .string])
        #expect(values[2].numberText == "1.50")
        #expect(values[3].numberText == "3.0e2")
        #expect(values[3].double == 300)
        #expect(values[3].int64 == 300)
        #expect(values[5].numberText == "123456789012345678901234567890")
        #expect(values[5].int64 == nil)
        #expect(values[6].bool == true)
        #expect(values[9].string == "")
    }

    /// Input denser than the first tape estimate (a node per byte or two) is parsed again with
    /// room for the worst case: same values, same errors.
    @Test(arguments: [1, 7, 5_000])
    func denseInputFillsALargerTape(count: Int) throws {
        let text = "[" + Array(repeating: "1", count: count).joined(separator: ",") + "]"
        let doc = try JSONDocument(text: text)
        #expect(doc.nodes.count == count + 1)
        #expect(doc.root.elements.map(\.numberText) == Array(repeating: "1", count: count))
        let lines = try JSONDocument(bytes: Array(Array(repeating: "[]", count: count).joined(separator: "\n").utf8), allowMultipleRoots: true)
        #expect(lines.rootIndexes.count == count)
        let broken = Array((String(text.dropLast()) + ",x]").utf8)
        #expect(throws: JSONError.self) { try JSONDocument(bytes: broken) }
        do {
            _ = try JSONDocument(bytes: broken)
        } catch {
            #expect(error.offset == broken.count - 2)
        }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let doc = try JSONDocument(text: #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "\ud800x", "\udc00"]"#)
        let values = Array(doc.root.elements)
        #expect(values[0].string == "a\"b\\c/d\u{8}\u{c}\n\r\t")
        #expect(values[1].string == "é中")
        #expect(values[2].string == "😀")
        #expect(values[3].string == "\u{FFFD}x")
        #expect(values[4].string == "\u{FFFD}")
        #expect(values[2].isString("😀"))
        #expect(!values[2].isString("😀 "))
    }

    @Test func rawUTF8PassesThrough() throws {
        let doc = try JSONDocument(text: "{\"ключ\":\"значение ✓\"}")
        #expect(doc.root["ключ"]?.string == "значение ✓")
    }

    @Test func objectLookupLastWinsAndKeepsAllMembers() throws {
        let doc = try JSONDocument(text: #"{"a":1,"b":{"c":[1,{"d":"x"}]},"a":2}"#)
        #expect(doc.root["a"]?.numberText == "2")
        #expect(doc.root.members.count { _ in true } == 3)
        #expect(doc.root["b", "c"]?.count == 2)
        let inner = Array(doc.root["b", "c"]!.elements)[1]
        #expect(inner["d"]?.string == "x")
        #expect(doc.root["missing"] == nil)
        #expect(doc.root["b", "missing", "deeper"] == nil)
    }

    @Test func escapedKeysAreFound() throws {
        let doc = try JSONDocument(text: #"{"a\u0062c":1}"#)
        #expect(doc.root["abc"]?.numberText == "1")
    }

    @Test func rawBytesAndOffsets() throws {
        let text = #"  {"k": "v", "n": [1, 2]}"#
        let doc = try JSONDocument(text: text)
        #expect(doc.root.byteOffset == 2)
        #expect(doc.root["k"]?.rawText == "\"v\"")
        #expect(doc.root["k"]?.byteOffset == 8)
        #expect(doc.root["n"]?.rawText == "[1, 2]")
    }

    @Test(arguments: [
        ("", 0), ("{", 1), ("[1,]", 3), ("{\"a\" 1}", 5), ("{\"a\":1,}", 7), ("[01]", 2), ("[1.]", 1), ("[-]", 1),
        ("[1e]", 1), ("\"abc", 4), ("\"a\\x\"", 2), ("\"\\u12g4\"", 5), ("[\"a\u{1}\"]", 3), ("tru", 3), ("nul", 3),
        ("[1] 2", 4), ("{1:2}", 1), ("[NaN]", 1),
    ])
    func rejectsInvalidJSONWithOffset(text: String, offset: Int) {
        do {
            _ = try JSONDocument(text: text)
            Issue.record("accepted invalid JSON \(text.debugDescription)")
        } catch {
            #expect(error.offset == offset, "\(text.debugDescription): \(error)")
        }
    }

    @Test func truncatedInputIsUnexpectedEnd() {
        do {
            _ = try JSONDocument(text: #"{"Records":[{"eventID":"x"},"#)
            Issue.record("accepted truncated JSON")
        } catch {
            #expect(error.reason == .unexpectedEnd)
        }
    }

    @Test func depthLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONError.self) { try JSONDocument(text: deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try JSONDocument(text: ok).root.count == 1)
        do {
            _ = try JSONDocument(bytes: Array(deep.utf8), maxDepth: 10)
        } catch {
            #expect(error.reason == .tooDeep(limit: 10))
            #expect(error.description.contains("deeper than 10"))
        }
    }

    @Test func multipleRoots() throws {
        let doc = try JSONDocument(bytes: Array("{\"a\":1}\n{\"a\":2}\n\n[3]\n".utf8), allowMultipleRoots: true)
        #expect(doc.roots.count == 3)
        #expect(doc.roots[1]["a"]?.numberText == "2")
        #expect(throws: JSONError.self) { try JSONDocument(bytes: Array("{} {}".utf8)) }
    }

    @Test func largeStringValue() throws {
        let big = String(repeating: "x", count: 5_000_000)
        let doc = try JSONDocument(text: "{\"big\":\"\(big)\"}")
        #expect(doc.root["big"]?.string?.count == 5_000_000)
    }

    /// The tape agrees with Foundation on randomly generated documents.
    @Test func agreesWithFoundationOnRandomDocuments() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let text = randomJSON(&rng, depth: 0)
            let doc = try JSONDocument(text: text)
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(equivalent(doc.root, foundation), "\(text)")
        }
    }

    private func equivalent(_ value: JSONValue, _ other: Any) -> Bool {
        switch value.kind {
        case .object:
            guard let dict = other as? [String: Any], dict.count == value.count else { return false }
            return value.members.allSatisfy { key, member in dict[key.string ?? ""].map { equivalent(member, $0) } ?? false }
        case .array:
            guard let array = other as? [Any], array.count == value.count else { return false }
            return zip(value.elements, array).allSatisfy { equivalent($0, $1) }
        case .string: return (other as? String) == value.string
        case .number: return (other as? NSNumber)?.doubleValue == value.double
        case .true, .false:
            guard let number = other as? NSNumber else { return false }
            return number.boolValue == value.bool
        case .null: return other is NSNull
        }
    }

    private func randomJSON(_ rng: inout SplitMix64, depth: Int) -> String {
        let choice = depth > 3 ? rng.next() % 4 : rng.next() % 6
        switch choice {
        case 0: return ["true", "false", "null"][Int(rng.next() % 3)]
        case 1: return ["0", "-12", "3.25", "1e3", "-0.5E-2", "42"][Int(rng.next() % 6)]
        case 2, 3:
            let pieces = ["a", "é", "\\n", "\\\"", "\\u0041", "\\ud83d\\ude00", " ", "中", "/"]
            return "\"" + (0..<Int(rng.next() % 5)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined() + "\""
        case 4:
            return "[" + (0..<Int(rng.next() % 4)).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let members = (0..<Int(rng.next() % 4)).map { i in "\"k\(i)\": " + randomJSON(&rng, depth: depth + 1) }
            return "{" + members.joined(separator: " , ") + "}"
        }
    }
}

extension JSONParserTests {
    /// Special bytes at every offset of the eight-byte words the string scanner reads.
    @Test func findsSpecialBytesAtEveryOffset() throws {
        for prefix in 0..<20 {
            for suffix in 0..<20 {
                let head = String(repeating: "a", count: prefix), tail = String(repeating: "é", count: suffix)
                let plain = try JSONDocument(text: "[\"\(head)\(tail)\", 1]")
                #expect(JSONValue(document: plain, index: 1).string == head + tail)
                #expect(plain.nodes[1].hasEscapes == false)
                let escaped = try JSONDocument(text: "[\"\(head)\\n\(tail)\", 1]")
                #expect(JSONValue(document: escaped, index: 1).string == head + "\n" + tail)
                let bytes = Array("[\"\(head)\u{1}\(tail)\"]".utf8)
                do {
                    _ = try JSONDocument(bytes: bytes)
                    Issue.record("control character accepted")
                } catch {
                    #expect(error.offset == 2 + prefix)
                    #expect(error.reason == .controlCharacterInString)
                }
                do {
                    _ = try JSONDocument(bytes: Array("[\"\(head)\(tail)".utf8))
                    Issue.record("unterminated string accepted")
                } catch {
                    #expect(error.reason == .unexpectedEnd)
                }
            }
        }
    }
}
