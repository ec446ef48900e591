import Testing
import TrailDetect
import TrailJSON
import TrailModel

@Suite struct RuleLoaderTests {
    func load(_ json: String, file: String = "Rules/x.json") throws(RuleError) -> [RuleDefinition] {
        try RuleLoader.load(bytes: Array(json.utf8), file: file)
    }

    func error(_ json: String, file: String = "Rules/x.json") -> String? {
        do {
            _ = try load(json, file: file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func oneRuleObject() throws {
        let rules = try load(#"{"name":"n","title":"T","severity":"high","description":"d","pattern":{"source":["aws.kms"]}}"#)
        #expect(rules.count == 1)
        #expect(rules[0].name == "n")
        #expect(rules[0].title == "T")
        #expect(rules[0].severity == .high)
        #expect(rules[0].description == "d")
        #expect(rules[0].file == "Rules/x.json")
        #expect(rules[0].pattern["source"]?.rawText == #"["aws.kms"]"#)
        #expect(rules[0].detector == nil)
        #expect(rules[0].suppress == nil)
    }

    @Test func arrayOfRules() throws {
        let rules = try load(#"[{"name":"a","pattern":{}},{"name":"b","pattern":{"x":[1]},"severity":"low"}]"#)
        #expect(rules.map(\.name) == ["a", "b"])
        #expect(rules[0].title == "a")
        #expect(rules[0].severity == .medium)
        #expect(rules[1].severity == .low)
    }

    @Test func barePatternIsNamedAfterTheFile() throws {
        let rules = try load(#"{"source":["aws.secretsmanager"],"detail":{"eventName":["GetSecretValue"]}}"#, file: "Rules/sub/my-rule.json")
        #expect(rules.count == 1)
        #expect(rules[0].name == "my-rule")
        #expect(rules[0].pattern["detail", "eventName"]?.rawText == #"["GetSecretValue"]"#)
    }

    @Test func detectorsParse() throws {
        let rules = try load(#"""
        [{"name":"fs","pattern":{},"detector":{"type":"first-seen","key":["secret"],"value":"principal","learning":"P7D","forget":"P90D"},"suppress":{"by":["principal","secret"],"for":"PT1H"}},
         {"name":"th","pattern":{},"detector":{"type":"threshold","group":["principal"],"distinct":"secret","count":20,"window":"PT5M"}},
         {"name":"sd","pattern":{},"detector":{"type":"secret-deletion"}},
         {"name":"rp","pattern":{},"detector":{"type":"resource-policy","escalate":"critical"}},
         {"name":"kk","pattern":{},"detector":{"type":"kms-key"}},
         {"name":"bc","pattern":{},"detector":{"type":"batch-catch-all"}}]
        """#)
        #expect(rules[0].detector == .firstSeen(FirstSeenConfig(key: [.secret], value: .principal, learning: .days(7), forget: .days(90))))
        #expect(rules[0].suppress == SuppressConfig(by: [.principal, .secret], for: .hours(1)))
        #expect(rules[1].detector == .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 20, window: .minutes(5))))
        #expect(rules[2].detector == .secretDeletion(SecretDeletionConfig()))
        #expect(rules[3].detector == .resourcePolicy(ResourcePolicyConfig(escalate: .critical)))
        #expect(rules[4].detector == .kmsKey(KMSKeyConfig()))
        #expect(rules[5].detector == .batchCatchAll)
    }

    @Test func badDurationNamesFileRuleAndPath() {
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"threshold","count":3,"window":"PT5X"}}"#)
            == #"Rules/x.json: rule "n": detector.window: "PT5X" is not an ISO 8601 duration (such as PT5M, PT1H, P7D)"#)
    }

    @Test func zeroDurationsSaySo() {
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"threshold","count":3,"window":"PT0.0001S"}}"#)
            == #"Rules/x.json: rule "n": detector.window: "PT0.0001S" comes to 0 ms (durations are kept in whole milliseconds); it must be at least 1 ms"#)
    }

    /// Values are quoted as JSON: control characters in them (NUL, ESC) show as escapes.
    @Test func quotedValuesEscapeControlCharacters() {
        #expect(error(#"{"name":"n\u0000","pattern":{}}"#)
            == #"Rules/x.json: rule "n\u0000": name: "n\u0000" is not a valid rule name (letters, digits, '-', '_', '.')"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"threshold","count":3,"window":"PT5X\u001b"}}"#)
            == #"Rules/x.json: rule "n": detector.window: "PT5X\u001b" is not an ISO 8601 duration (such as PT5M, PT1H, P7D)"#)
    }

    @Test func unknownDetectorType() {
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"sometimes"}}"#)
            == #"Rules/x.json: rule "n": detector.type: unknown detector type "sometimes" (known: first-seen, threshold, secret-deletion, resource-policy, kms-key, batch-catch-all, trail-change, pending-deletion-read)"#)
    }

    @Test func unknownFields() {
        #expect(error(#"{"name":"n","pattern":{},"severty":"high"}"#)?.hasPrefix(#"Rules/x.json: rule "n": severty: unknown field"#) == true)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"first-seen","key":["secret"],"value":"principal","window":"P1D"}}"#)?
            .hasPrefix(#"Rules/x.json: rule "n": detector.window: unknown field"#) == true)
        #expect(error(#"{"name":"n","pattern":{},"suppress":{"for":"PT1H","by":[],"until":"x"}}"#)?
            .hasPrefix(#"Rules/x.json: rule "n": suppress.until: unknown field"#) == true)
    }

    @Test func unknownEventField() {
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"first-seen","key":["secret","user"],"value":"principal"}}"#)?
            .hasPrefix(#"Rules/x.json: rule "n": detector.key[1]: unknown field "user" (known: principal,"#) == true)
        #expect(error(#"[{"name":"a","pattern":{}},{"name":"b","pattern":{},"suppress":{"by":["ip"],"for":"PT1H"}}]"#)?
            .hasPrefix(#"Rules/x.json: rule "b": [1].suppress.by[0]: unknown field "ip""#) == true)
    }

    @Test func malformedValues() {
        #expect(error(#"{"name":"n","pattern":{},"severity":"urgent"}"#)
            == #"Rules/x.json: rule "n": severity: "urgent" is not a severity (info, low, medium, high, critical)"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"threshold","count":0,"window":"PT1M"}}"#)
            == #"Rules/x.json: rule "n": detector.count: 0 is not a whole number from 1 to 1000000"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"threshold","window":"PT1M"}}"#)
            == #"Rules/x.json: rule "n": detector.count: missing"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"first-seen","key":[],"value":"principal"}}"#)
            == #"Rules/x.json: rule "n": detector.key: must name at least one field"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"type":"first-seen","key":["secret"],"value":"principal","learning":"P1M"}}"#)
            == #"Rules/x.json: rule "n": detector.learning: "P1M" is not an ISO 8601 duration (such as PT5M, PT1H, P7D)"#)
        #expect(error(#"{"name":"n","pattern":["x"]}"#) == #"Rules/x.json: rule "n": pattern: expected an object (an EventBridge pattern)"#)
        #expect(error(#"{"name":"n","title":"t"}"#) == #"Rules/x.json: rule "n": pattern: missing (every rule needs an EventBridge pattern)"#)
        #expect(error(#"{"title":"t","pattern":{}}"#) == #"Rules/x.json: name: missing (every rule needs a name)"#)
        #expect(error(#"{"name":"has space","pattern":{}}"#)
            == #"Rules/x.json: rule "has space": name: "has space" is not a valid rule name (letters, digits, '-', '_', '.')"#)
        #expect(error(#"{"name":"n","pattern":{},"detector":{"key":["secret"]}}"#) == #"Rules/x.json: rule "n": detector.type: missing"#)
        #expect(error("[1]") == "Rules/x.json: [0]: expected a rule object")
        #expect(error("\"x\"") == "Rules/x.json: expected a rule object, an array of rules or an EventBridge pattern")
    }

    @Test func invalidJSON() {
        #expect(error(#"{"name": "n", "pattern": {"#) == "Rules/x.json: invalid JSON at byte 26: unexpected end of input")
    }

    @Test func duplicateNamesAcrossFiles() {
        let a = #"{"name":"n","pattern":{}}"#
        #expect(throws: RuleError.self) {
            try RuleLoader.load(files: [("Rules/a.json", Array(a.utf8)), ("Rules/b.json", Array(a.utf8))])
        }
        do {
            _ = try RuleLoader.load(files: [("Rules/a.json", Array(a.utf8)), ("Rules/b.json", Array(a.utf8))])
        } catch {
            #expect(error.description == #"Rules/b.json: rule "n": name: duplicate rule name (also in Rules/a.json)"#)
        }
    }

    /// A fuzzer found that `PT4444444404444,444S` printed a text that parsed back 1 ms off, when the
    /// parse went through `Double`. Now every printed duration parses back exactly.
    @Test func isoDurationsPrintAndParseBackExactly() {
        let found = ISODuration.parse("PT4444444404444,444S")
        #expect(found?.milliseconds == 4_444_444_404_444_444)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let ms = Int64(state >> 2) % ISODuration.maximumMilliseconds
            let text = ISODuration.format(EventTime.Duration(milliseconds: ms))
            #expect(ISODuration.parse(text)?.milliseconds == ms, "\(text)")
        }
    }

    @Test func isoDurations() {
        #expect(ISODuration.parse("PT5M") == .minutes(5))
        #expect(ISODuration.parse("PT1H") == .hours(1))
        #expect(ISODuration.parse("P7D") == .days(7))
        #expect(ISODuration.parse("P2W") == .days(14))
        #expect(ISODuration.parse("P1DT12H") == .hours(36))
        #expect(ISODuration.parse("PT0.5S") == EventTime.Duration(milliseconds: 500))
        #expect(ISODuration.parse("PT90S") == .seconds(90))
        #expect(ISODuration.parse("PT1,5H") == .minutes(90))
        #expect(ISODuration.parse("P0.5W") == .hours(84))
        #expect(ISODuration.parse("PT0.0005S") == EventTime.Duration(milliseconds: 1), "half a millisecond rounds up")
        #expect(ISODuration.parse("PT0.00049999S") == EventTime.Duration(milliseconds: 0))
        for bad in ["", "P", "PT", "5M", "PT5", "P1Y", "P1M", "PT5X", "P1H", "PT1D", "PT1M1H", "P-1D", "pt5m",
                    "P1DT", "PT.5S", "PT5.S", "PT1.5.5S", "PT0.5M30S", "P1.5DT1H", "PT1HT1M", "P9999999999999999999D"] {
            #expect(ISODuration.parse(bad) == nil, "\(bad)")
        }
        #expect(ISODuration.format(.minutes(5)) == "PT5M")
        #expect(ISODuration.format(.days(7)) == "P7D")
        #expect(ISODuration.format(.hours(26)) == "P1DT2H")
        #expect(ISODuration.words(.minutes(5)) == "5 minutes")
        #expect(ISODuration.format(EventTime.Duration(milliseconds: 1_500)) == "PT1.5S")
        #expect(ISODuration.words(.hours(1)) == "1 hour")
    }
}
