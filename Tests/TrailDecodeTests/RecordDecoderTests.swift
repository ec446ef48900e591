import Testing
import TrailDecode
import TrailJSON
import TrailModel

@Suite struct RecordDecoderTests {
    let a = record(#""eventName":"GetSecretValue""#, id: "a")
    let b = record(#""eventName":"ListSecrets""#, id: "b")

    private func ids(_ f: DecodedFile) -> [String] { f.records.compactMap { $0.record["eventID"]?.string } }

    @Test func cloudTrailLogFile() throws {
        let text = #"{"Records":[\#(a),\#(b)]}"#
        let f = try decode(text, path: "x.json")
        #expect(f.format == .cloudTrailLog)
        #expect(ids(f) == ["a", "b"])
        #expect(f.invalid.isEmpty && f.skipReason == nil)
        #expect(f.records[0].location == RecordLocation(path: "x.json", recordIndex: 0, byteOffset: 12))
        #expect(f.records[1].location.recordIndex == 1)
        #expect(f.records[1].location.byteOffset == 13 + a.utf8.count)
    }

    @Test func emptyRecordsIsALogWithoutRecords() throws {
        let f = try decode(#"{"Records":[]}"#)
        #expect(f.format == .cloudTrailLog && f.records.isEmpty && f.skipReason == nil)
    }

    @Test func bareArray() throws {
        let f = try decode("[\n \(a),\n \(b)\n]")
        #expect(f.format == .recordArray)
        #expect(ids(f) == ["a", "b"])
    }

    @Test func jsonLines() throws {
        let f = try decode("\(a)\n\(b)\n")
        #expect(f.format == .jsonLines)
        #expect(ids(f) == ["a", "b"])
        #expect(f.records[1].location.byteOffset == a.utf8.count + 1)
    }

    @Test func jsonLinesWithCRLFAndBlankLines() throws {
        let f = try decode("\(a)\r\n\r\n\(b)\r\n")
        #expect(f.format == .jsonLines && ids(f) == ["a", "b"])
    }

    @Test func jsonLinesBadLineIsInvalidOthersDecode() throws {
        let bad = #"{"eventID":"x", oops}"#
        let text = "\(a)\n\(bad)\n\(b)\n"
        let f = try decode(text, path: "l.jsonl")
        #expect(f.format == .jsonLines)
        #expect(ids(f) == ["a", "b"])
        #expect(f.invalid.count == 1)
        #expect(f.invalid[0].location == RecordLocation(path: "l.jsonl", recordIndex: 1, byteOffset: a.utf8.count + 1))
        #expect(f.invalid[0].reason.contains("line 2"))
        #expect(f.records[1].location.recordIndex == 2)
        #expect(f.records[1].location.byteOffset == a.utf8.count + 1 + bad.utf8.count + 1)
    }

    @Test func lookupEventsDoubleDecode() throws {
        let text = #"{"Events":[{"EventId":"a","EventName":"GetSecretValue","CloudTrailEvent":\#(JSONWriter.quoted(a))},{"EventId":"b","CloudTrailEvent":\#(JSONWriter.quoted(b))}],"NextToken":"t"}"#
        let f = try decode(text)
        #expect(f.format == .lookupEvents)
        #expect(ids(f) == ["a", "b"])
        #expect(f.records[0].location.byteOffset == 11)
        let e = try Normaliser().normalise(f.records[0]).get()
        #expect(e.eventName == "GetSecretValue")
    }

    @Test func lookupEventsWithBrokenEmbeddedRecord() throws {
        let text = #"{"Events":[{"CloudTrailEvent":"{\"eventID\":"},{"CloudTrailEvent":\#(JSONWriter.quoted(b))},{"EventId":"c"}]}"#
        let f = try decode(text)
        #expect(f.format == .lookupEvents)
        #expect(ids(f) == ["b"])
        #expect(f.invalid.map(\.location.recordIndex) == [0, 2])
        #expect(f.invalid[0].reason.contains("CloudTrailEvent"))
    }

    @Test func eventBridgeEnvelope() throws {
        let text = #"{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.secretsmanager","account":"123456789012","time":"2024-06-03T10:00:00Z","region":"us-east-1","resources":[],"detail":\#(a)}"#
        let f = try decode(text)
        #expect(f.format == .eventBridge)
        #expect(ids(f) == ["a"])
        #expect(f.records[0].location.byteOffset == text.utf8.count - a.utf8.count - 1)
    }

    @Test func eventBridgeLines() throws {
        func env(_ r: String) -> String { #"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.secretsmanager","detail":\#(r)}"# }
        let f = try decode(env(a) + "\n" + env(b) + "\n")
        #expect(f.format == .eventBridge)
        #expect(ids(f) == ["a", "b"])
    }

    @Test func concatenatedLogFiles() throws {
        let f = try decode(#"{"Records":[\#(a)]}"# + "\n" + #"{"Records":[\#(b)]}"#)
        #expect(f.format == .cloudTrailLog)
        #expect(ids(f) == ["a", "b"])
        #expect(f.records.map(\.location.recordIndex) == [0, 1])
    }

    @Test func eventBridgeEventsNotFromCloudTrailAreInvalid() throws {
        let native = #"{"version":"0","id":"n","detail-type":"AWS Secrets Manager Secret Label Updated","source":"aws.secretsmanager","detail":{"SecretId":"x"}}"#
        let ct = #"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":\#(a)}"#
        let f = try decode(ct + "\n" + native + "\n")
        #expect(f.format == .eventBridge)
        #expect(ids(f) == ["a"])
        #expect(f.invalid.map(\.reason) == ["EventBridge event without a CloudTrail record in detail"])
        #expect(f.invalid[0].location.byteOffset == ct.utf8.count + 1)
    }

    @Test func digestIsSkipped() throws {
        let f = try RecordDecoder.decode(try fixture("awsdocs-digest.json"), path: "d.json")
        #expect(f.format == .digest)
        #expect(f.records.isEmpty && f.invalid.isEmpty)
        #expect(f.skipReason != nil)
    }

    @Test func insightFileIsSkipped() throws {
        let insight = record(#""eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"state":"Start"}"#)
        let f = try decode(#"{"Records":[\#(insight),\#(insight)]}"#)
        #expect(f.format == .insight)
        #expect(f.records.isEmpty && f.skipReason != nil)
    }

    @Test func lookupEventsOfInsightsAreSkipped() throws {
        let f = try RecordDecoder.decode(try fixture("awsdocs-lookup-events-insights.json"), path: "i.json")
        #expect(f.format == .insight)
        #expect(f.records.isEmpty && f.skipReason != nil)
    }

    @Test(arguments: [
        #"{"hello":"world"}"#, #"[1,2,3]"#, #""text""#, "42", #"{"a":1}"# + "\n" + #"{"b":2}"#,
    ])
    func otherJSONIsSkipped(_ text: String) throws {
        let f = try decode(text)
        #expect(f.format == .unknownJSON)
        #expect(f.records.isEmpty)
        #expect(f.skipReason?.hasPrefix("not CloudTrail") == true)
    }

    @Test(arguments: ["", "   \n\t\r\n"])
    func emptyInput(_ text: String) throws {
        let f = try decode(text)
        #expect(f.format == .empty && f.records.isEmpty && f.skipReason != nil)
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let f = try RecordDecoder.decode([0xEF, 0xBB, 0xBF] + Array(#"{"Records":[\#(a)]}"#.utf8), path: "bom.json")
        #expect(f.format == .cloudTrailLog && ids(f) == ["a"])
        #expect(f.records[0].location.byteOffset == 15)
    }

    @Test func recordsWithoutIDOrTimeAreInvalid() throws {
        let noID = #"{"eventTime":"2024-06-03T10:00:00Z","eventName":"X"}"#
        let noTime = #"{"eventID":"n","eventName":"X"}"#
        let badTime = #"{"eventID":"m","eventTime":"yesterday"}"#
        let emptyID = #"{"eventID":"","eventTime":"2024-06-03T10:00:00Z"}"#
        let f = try decode(#"{"Records":[\#(noID),\#(a),\#(noTime),\#(badTime),[1],\#(emptyID)]}"#, path: "p")
        #expect(ids(f) == ["a"])
        #expect(f.invalid.map(\.location.recordIndex) == [0, 2, 3, 4, 5])
        #expect(f.invalid.map(\.reason) == [
            "record has no eventID", "record has no eventTime", #"eventTime "yesterday" is not a valid time"#,
            "record is not a JSON object", "record has no eventID",
        ])
        #expect(f.invalid[0].location.byteOffset == 12)
        #expect(f.invalid[0].description == "p: record 0 (byte 12): record has no eventID")
    }

    @Test func invalidJSONIsAFileError() throws {
        do throws(DecodeError) {
            _ = try decode(#"{"Records":[{"eventID":"a"},]}"#, path: "bad.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.path == "bad.json")
            #expect(error.byteOffset == 28)
            #expect(!error.isIncomplete)
            #expect(error.description.hasPrefix("bad.json: byte 28: invalid JSON"))
        }
    }

    @Test(arguments: [
        #"{"Records":[{"eventID":"a","eventTime":"2024-06-03T10:00:00Z"},{"eventID":"b","eventTi"#,
        #"[{"eventID":"a""#,
        #"{"Records":["#,
    ])
    func truncatedInputIsIncomplete(_ text: String) throws {
        do throws(DecodeError) {
            _ = try decode(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.isIncomplete)
            #expect(error.byteOffset == text.utf8.count)
        }
    }

    @Test func truncatedLastJSONLineIsIncomplete() throws {
        let text = "\(a)\n\(b)\n" + #"{"eventID":"c","eventTi"#
        do throws(DecodeError) {
            _ = try decode(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.isIncomplete)
            #expect(error.byteOffset == text.utf8.count)
        }
    }

    @Test func brokenFirstLineIsOnlyInvalid() throws {
        let f = try decode(#"{"eventID":"x","# + "\n\(a)\n\(b)\n")
        #expect(ids(f) == ["a", "b"])
        #expect(f.invalid.map(\.location.recordIndex) == [0])
    }

    @Test func brokenPrettyPrintedDocumentFailsAsAWhole() throws {
        #expect(throws: DecodeError.self) { try decode("{\n  \"Records\": [\n    \(a),\n    oops\n  ]\n}\n") }
        #expect(throws: DecodeError.self) { try decode("[\n\(a),\n\(b),,\n\(a)\n]\n") }
    }

    @Test func brokenLastLineWithNewlineIsOnlyInvalid() throws {
        let f = try decode("\(a)\n" + #"{"eventID":"c","eventTi"# + "\n")
        #expect(ids(f) == ["a"])
        #expect(f.invalid.count == 1)
    }

    @Test func depthLimitIsAFileError() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: DecodeError.self) { try decode(deep) }
    }

    @Test func fiftyMegabyteRecord() throws {
        var bytes = Array(#"{"Records":[{"eventID":"big","eventTime":"2024-06-03T10:00:00Z","eventSource":"s3.amazonaws.com","requestParameters":{"blob":""#.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: 50 * 1024 * 1024))
        bytes.append(contentsOf: Array(#""}},\#(a)]}"#.utf8))
        let f = try RecordDecoder.decode(bytes, path: "big.json")
        #expect(ids(f) == ["big", "a"])
        let e = try Normaliser().normalise(f.records[0]).get()
        #expect(e.eventID == "big" && e.eventSource == "s3.amazonaws.com")
    }

    @Test func sameRecordsWhateverTheContainer() throws {
        let records = [a, b, record(#""eventName":"DeleteSecret","eventSource":"secretsmanager.amazonaws.com","requestParameters":{"secretId":"prod/db"}"#, id: "c")]
        let envelopes = records.map { #"{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":\#($0)}"# }
        let lookups = records.map { #"{"CloudTrailEvent":\#(JSONWriter.quoted($0))}"# }
        let containers = [
            #"{"Records":[\#(records.joined(separator: ","))]}"#,
            "[" + records.joined(separator: ",\n") + "]",
            records.joined(separator: "\n"),
            records.joined(separator: "\r\n") + "\r\n",
            envelopes.joined(separator: "\n"),
            "{\n  \"Records\" : [\n    " + records.joined(separator: " ,\n    ") + "\n  ]\n}\n",
            #"{"Events":[\#(lookups.joined(separator: ","))]}"#,
        ]
        func strip(_ e: AuditEvent) -> AuditEvent {
            var e = e
            e.location = RecordLocation(path: "", recordIndex: e.location.recordIndex, byteOffset: 0)
            return e
        }
        let expected = try events(Array(containers[0].utf8)).map(strip)
        #expect(expected.count == 3)
        for c in containers {
            let got = try events(Array(c.utf8)).map(strip)
            #expect(got == expected)
            // Decoding is deterministic: the same bytes give the same records again.
            #expect(try events(Array(c.utf8)) == events(Array(c.utf8)))
        }
    }
}

/// An `eventID` that is not valid Unicode is an invalid record: read leniently, distinct ids would
/// collapse into the same U+FFFD text and one event be dropped as a duplicate of the other.
@Suite struct EventIDUnicodeTests {
    static let reason = "eventID is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape)"

    /// `{"Records":[r1,r2,...]}` with each id's raw bytes between the quotes.
    func file(_ ids: [[UInt8]]) -> [UInt8] {
        var out = Array(#"{"Records":["#.utf8)
        for (k, id) in ids.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            let parts = record(id: "@@").split(separator: "@@", omittingEmptySubsequences: false)
            out += Array(parts[0].utf8) + id + Array(parts[1].utf8)
        }
        return out + Array("]}".utf8)
    }

    @Test(arguments: [
        Array(#"a\ud800"#.utf8), Array(#"a\udbff"#.utf8), Array(#"a\udc00"#.utf8),
        Array(#"a\ud800\u0041"#.utf8), Array(#"a\ud800\ud800"#.utf8),
        [0x61, 0xFF], [0x61, 0xC3], [0x61, 0xED, 0xA0, 0x80], [0x61, 0xC0, 0xAF],
    ])
    func invalidIDIsAnInvalidRecord(_ id: [UInt8]) throws {
        let ok = Array("ok".utf8)
        let f = try RecordDecoder.decode(file([ok, id, ok]), path: "u.json")
        #expect(f.records.map(\.location.recordIndex) == [0, 2])
        #expect(f.invalid.count == 1)
        #expect(f.invalid.first?.location.recordIndex == 1)
        #expect(f.invalid.first?.location.path == "u.json")
        #expect(f.invalid.first?.reason == Self.reason)
    }

    @Test(arguments: [
        (Array(#"a\ud83d\ude00"#.utf8), "a\u{1F600}"), (Array(#"a\u00e9"#.utf8), "aé"),
        (Array("aé".utf8), "aé"), (Array(#"a\\ud800"#.utf8), #"a\ud800"#),
    ])
    func validIDsStay(_ id: [UInt8], _ expected: String) throws {
        let f = try RecordDecoder.decode(file([id]), path: "u.json")
        #expect(f.invalid.isEmpty)
        let e = try Normaliser().normalise(try #require(f.records.first)).get()
        #expect(e.eventID == expected)
    }

    /// The lenient reading merges these ids; none may become an event.
    @Test func distinctFlawedIDsNeverMerge() throws {
        let ids = [Array(#"x\ud800"#.utf8), Array(#"x\udbff"#.utf8), [0x78, 0xFF], [0x78, 0xFE]]
        let f = try RecordDecoder.decode(file(ids), path: "u.json")
        #expect(f.records.isEmpty)
        #expect(f.invalid.map(\.location.recordIndex) == [0, 1, 2, 3])
    }
}
