import Testing
import TrailJSON
@testable import TrailMatch

@Suite struct RuleSetTests {
    private func compile(_ patterns: [String]) throws -> CompiledPatterns {
        let named = try patterns.enumerated().map { i, p in
            NamedPattern(name: "r\(i)", file: "rules.json", pattern: try JSONDocument(text: p).root)
        }
        return try CompiledPatterns(named)
    }

    @Test func indexesAreAscendingAndComplete() throws {
        var patterns: [String] = []
        for i in 0..<300 {
            switch i % 3 {
            case 0: patterns.append(#"{"detail":{"eventName":["Op\#(i)","GetSecretValue"]}}"#)
            case 1: patterns.append(#"{"detail":{"eventName":[{"prefix":"Op\#(i)"}]}}"#)
            default: patterns.append(#"{"source":["aws.x"],"detail":{"n":[{"numeric":[">",\#(i)]}]}}"#)
            }
        }
        let set = try compile(patterns)
        #expect(set.count == 300)
        let e = try JSONDocument(text: #"{"source":"aws.x","detail":{"eventName":"GetSecretValue","n":150}}"#)
        let m = set.matchingIndexes(event: e.root, detail: nil)
        let expected = (0..<300).filter { $0 % 3 == 0 || ($0 % 3 == 2 && $0 < 150) }
        #expect(m == expected)
        let e2 = try JSONDocument(text: #"{"detail":{"eventName":"Op10x"}}"#)
        #expect(set.matchingIndexes(event: e2.root, detail: nil) == [1, 10])
    }

    @Test func detailArgumentActsAsAMember() throws {
        let set = try compile([#"{"source":["aws.secretsmanager"],"detail":{"eventName":["DeleteSecret"]}}"#,
                               #"{"detail":{"errorCode":[{"exists":false}]}}"#,
                               #"{"source":["aws.kms"]}"#])
        let envelope = try JSONDocument(text: #"{"source":"aws.secretsmanager","account":"1"}"#)
        let record = try JSONDocument(text: #"{"eventName":"DeleteSecret"}"#)
        #expect(set.matchingIndexes(event: envelope.root, detail: record.root) == [0, 1])
        let failed = try JSONDocument(text: #"{"eventName":"DeleteSecret","errorCode":"AccessDenied"}"#)
        #expect(set.matchingIndexes(event: envelope.root, detail: failed.root) == [0])
        #expect(set.matchingIndexes(event: envelope.root, detail: nil) == [1])
    }

    /// Broad tests (anything-but, wildcard, numeric, cidr, exists) that anchor no rule are run only
    /// for candidate rules, on leaves of either document.
    @Test func deferredTestsSeeBothDocuments() throws {
        let set = try compile([
            #"{"source":["aws.x"],"detail":{"n":[{"numeric":[">",5]}],"ip":[{"cidr":"10.0.0.0/8"}]}}"#,
            #"{"source":["aws.x"],"detail":{"w":[{"wildcard":"a*c"}],"k":[{"anything-but":["z"]}]}}"#,
            #"{"detail":{"eventName":["E"],"items":{"a":[{"exists":true}],"b":[{"anything-but":"q"}]}}}"#,
        ])
        let envelope = try JSONDocument(text: #"{"source":"aws.x"}"#)
        let record = try JSONDocument(text: #"{"eventName":"E","n":6,"ip":"10.1.2.3","w":"abc","k":"y","items":[{"a":1,"b":"q"},{"b":"r"}]}"#)
        #expect(set.matchingIndexes(event: envelope.root, detail: record.root) == [0, 1])
        let record2 = try JSONDocument(text: #"{"eventName":"E","n":5,"ip":"10.1.2.3","w":"abd","k":"z","items":[{"a":1,"b":"r"}]}"#)
        #expect(set.matchingIndexes(event: envelope.root, detail: record2.root) == [2])
    }

    @Test func matcherAgreesWithSharedEntryPoint() throws {
        let set = try compile([#"{"a":[{"prefix":"x"}]}"#, #"{"b":{"c":[1]}}"#, #"{"a":[{"anything-but":"xyz"}]}"#])
        let matcher = PatternMatcher(set)
        for text in [#"{"a":"xyz","b":[{"c":1}]}"#, #"{"a":"q"}"#, #"{"b":{"c":2}}"#] {
            let e = try JSONDocument(text: text)
            #expect(matcher.matchingIndexes(event: e.root, detail: nil) == set.matchingIndexes(event: e.root, detail: nil))
        }
    }

    @Test func samePatternTwiceMatchesTwice() throws {
        let set = try compile([#"{"a":["1"]}"#, #"{"a":["1"]}"#, #"{"$or":[{"a":["1"]},{"b":["1"]}]}"#])
        let e = try JSONDocument(text: #"{"a":"1","b":"1"}"#)
        #expect(set.matchingIndexes(event: e.root, detail: nil) == [0, 1, 2])
    }

    @Test func emptyRuleSet() throws {
        let set = try compile([])
        let e = try JSONDocument(text: #"{"a":"1"}"#)
        #expect(set.count == 0)
        #expect(set.matchingIndexes(event: e.root, detail: nil).isEmpty)
    }

    @Test func nonObjectEvents() throws {
        let set = try compile([#"{"a":[{"exists":false}]}"#, #"{"a":["1"]}"#])
        for text in [#"[{"a":"1"}]"#, "5", "null", #""a""#] {
            let e = try JSONDocument(text: text)
            #expect(set.matchingIndexes(event: e.root, detail: nil) == [0], "\(text)")
        }
    }

    @Test func sharedAcrossTasks() async throws {
        let set = try compile([#"{"a":[{"prefix":"x"}]}"#, #"{"b":{"c":[1]}}"#])
        let e = try JSONDocument(text: #"{"a":"xyz","b":[{"c":1}]}"#)
        await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).map { _ in set.matchingIndexes(event: e.root, detail: nil) }.last ?? [] } }
            for await r in group { #expect(r == [0, 1]) }
        }
    }
}

@Suite struct ValidationTests {
    @Test func errorNamesFileRuleAndPath() {
        let e = patternError(#"{"detail":{"eventName":["DeleteSecret",{"anything-but":[]}]}}"#, name: "secret-deleted", file: "Rules/delete.json")
        #expect(e?.description == #"Rules/delete.json: rule "secret-deleted": detail.eventName[1]: "anything-but" needs a string, a number or a non-empty list"#)
        let noFile = patternError(#"{"a":[{"numeric":[">","5"]}]}"#)
        #expect(noFile?.description.hasPrefix("a[0].numeric[1]: ") == true)
        #expect(patternError(#"{"d":{"e":[{"contains":"x"}]}}"#)?.path == "d.e[0]")
        #expect(patternError(#"{"$or":[{"a":["1"]},{"b":[]}]}"#)?.path == "$or[1].b")
    }

    @Test func patternShape() {
        for p in [#"["a"]"#, #""a""#, "null", "5", "{}", #"{"d":{}}"#, #"{"s":[]}"#, #"{"s":"x"}"#, #"{"s":5}"#,
                  #"{"s":null}"#, #"{"s":[["x"]]}"#, #"{"s":[{}]}"#, #"{"s":[{"contains":"x"}]}"#, #"{"s":[{"regex":".*"}]}"#,
                  #"{"s":[{"prefix":"a","suffix":"b"}]}"#, #"{"s":[{"prefix":1}]}"#, #"{"s":[{"prefix":["a"]}]}"#,
                  #"{"s":[{"prefix":{"suffix":"x"}}]}"#, #"{"s":[{"suffix":null}]}"#,
                  #"{"s":[{"suffix":{"equals-ignore-case":"x","y":"z"}}]}"#, #"{"s":[{"equals-ignore-case":5}]}"#,
                  #"{"s":[{"equals-ignore-case":["a"]}]}"#, #"{"s":[{"exactly":5}]}"#, #"{"prefix":"aws"}"#,
                  #"{"s":["ok",{"foo":"bar"}]}"#] {
            #expect(patternError(p) != nil, "\(p) should be rejected")
        }
    }

    @Test func firstInvalidPatternIsReported() throws {
        let good = try JSONDocument(text: #"{"a":["1"]}"#)
        let bad = try JSONDocument(text: #"{"a":[]}"#)
        do {
            _ = try CompiledPatterns([NamedPattern(name: "ok", file: "f.json", pattern: good.root),
                                      NamedPattern(name: "broken", file: "g.json", pattern: bad.root)])
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "g.json")
            #expect(error.rule == "broken")
            #expect(error.path == "a")
        }
    }
}
