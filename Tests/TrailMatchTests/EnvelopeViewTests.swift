import Testing
import TrailJSON
@testable import TrailMatch

/// An ``EnvelopeView`` matches exactly like the envelope it describes, built as a document.
@Suite struct EnvelopeViewTests {
    private static let patterns = [
        #"{"source":["aws.secretsmanager"],"detail":{"eventName":["GetSecretValue"]}}"#,
        #"{"id":["ev-1"],"time":[{"prefix":"2024-06"}]}"#,
        #"{"region":[{"anything-but":"us-east-1"}],"account":["111122223333"]}"#,
        #"{"resources":[{"suffix":":key/k"}],"detail":{"resources":{"type":["AWS::KMS::Key"]}}}"#,
        #"{"resources":[{"exists":false}]}"#,
        #"{"resources":[{"wildcard":"arn:aws:secretsmanager:*:secret:db-*"}]}"#,
        #"{"version":["0"],"detail-type":["AWS API Call via CloudTrail"]}"#,
        #"{"detail":{"errorCode":[{"exists":false}]},"account":[{"exists":true}]}"#,
        #"{"time":[{"anything-but":{"prefix":"2023"}}],"detail":{"eventTime":[{"wildcard":"*Z"}]}}"#,
    ]

    private static let records = [
        #"{"eventID":"ev-1","eventTime":"2024-06-03T10:00:00Z","awsRegion":"eu-west-1","recipientAccountId":"111122223333","eventName":"GetSecretValue","resources":[{"ARN":"arn:aws:kms:eu-west-1:1:key/k","type":"AWS::KMS::Key"},{"type":"x"},{"ARN":"arn:aws:secretsmanager:eu-west-1:1:secret:db-a","ARN":7}]}"#,
        #"{"eventID":"ev-2","eventTime":"2023-01-01T00:00:00Z","awsRegion":"us-east-1","recipientAccountId":"9","errorCode":"AccessDenied","resources":[{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:9:key/other"},{"ARN":"arn:aws:secretsmanager:us-east-1:9:secret:db-prod-AbCdEf"}]}"#,
        #"{"eventID":"ev-3","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","resources":"not an array"}"#,
    ]

    private static func compile() throws -> CompiledPatterns {
        try CompiledPatterns(try patterns.enumerated().map { i, p in
            NamedPattern(name: "r\(i)", file: nil, pattern: try JSONDocument(text: p).root)
        })
    }

    @Test(arguments: 0..<records.count)
    func matchesLikeTheBuiltEnvelope(_ r: Int) throws {
        let set = try Self.compile()
        let record = try JSONDocument(text: Self.records[r])
        let rec = record.root
        let source = r == 0 ? "aws.secretsmanager" : "aws.kms"
        let base = try JSONDocument(text: #"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"\#(source)"}"#)
        var view = EnvelopeView(base: base.root, detail: rec)
        func node(_ key: String) -> Int { rec[key]?.index ?? -1 }
        view.addMember("id", detailNode: node("eventID"))
        view.addMember("time", detailNode: node("eventTime"))
        view.addMember("region", detailNode: node("awsRegion"))
        view.addMember("account", detailNode: node("recipientAccountId"))
        view.addList("resources", elementsOf: node("resources"), member: "ARN")

        // The same envelope, written out.
        var text = #"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"\#(source)""#
        for (key, member) in [("id", "eventID"), ("time", "eventTime"), ("region", "awsRegion"), ("account", "recipientAccountId")] {
            if let v = rec[member] { text += #","\#(key)":\#(v.rawText)"# }
        }
        let arns = (rec["resources"]?.elements.compactMap { e -> String? in
            guard let arn = e["ARN"], arn.kind == .string else { return nil }
            return arn.rawText
        }) ?? []
        text += #","resources":[\#(arns.joined(separator: ","))]}"#
        let built = try JSONDocument(text: text)

        let expected = set.matchingIndexes(event: built.root, detail: rec)
        #expect(set.matchingIndexes(envelope: view) == expected)
        #expect(PatternMatcher(set).matchingIndexes(envelope: view) == expected)
        #expect(!expected.isEmpty || r == 2)
    }

    /// Every pattern requires `source`: events whose source fails are rejected before `detail`
    /// is walked, with the same answers as a full walk.
    @Test func gatedRuleSet() throws {
        let set = try CompiledPatterns(try [
            #"{"source":["aws.secretsmanager"],"detail":{"eventName":["GetSecretValue"],"errorCode":[{"exists":false}]}}"#,
            #"{"source":["aws.kms"],"detail":{"eventName":["DisableKey"],"userIdentity":{"type":[{"anything-but":"AWSService"}]}}}"#,
            #"{"source":[{"prefix":"aws.secrets"}],"account":["1"]}"#,
        ].enumerated().map { i, p in NamedPattern(name: "g\(i)", file: nil, pattern: try JSONDocument(text: p).root) })
        #expect(set.gateMatchers != nil)
        let cases: [(String, String, [Int])] = [
            ("aws.secretsmanager", #"{"eventName":"GetSecretValue"}"#, [0]),
            ("aws.secretsmanager", #"{"eventName":"GetSecretValue","errorCode":"x"}"#, []),
            ("aws.kms", #"{"eventName":"DisableKey","userIdentity":{"type":"Root"}}"#, [1]),
            ("aws.ec2", #"{"eventName":"GetSecretValue"}"#, []),
            ("aws.ec2", #"{"eventName":"DisableKey","userIdentity":{"type":"Root"}}"#, []),
        ]
        for (source, detailText, expected) in cases {
            let detail = try JSONDocument(text: detailText)
            let built = try JSONDocument(text: #"{"source":"\#(source)","account":"2"}"#)
            #expect(set.matchingIndexes(event: built.root, detail: detail.root) == expected)
            let whole = try JSONDocument(text: #"{"source":"\#(source)","account":"2","detail":\#(detailText)}"#)
            #expect(set.matchingIndexes(event: whole.root, detail: nil) == expected)
            let base = try JSONDocument(text: #"{"source":"\#(source)"}"#)
            #expect(set.matchingIndexes(envelope: EnvelopeView(base: base.root, detail: detail.root)) == expected)
        }
        let open = try CompiledPatterns([NamedPattern(name: "o", file: nil, pattern: try JSONDocument(text: #"{"detail":{"eventName":["x"]}}"#).root)])
        #expect(open.gateMatchers == nil)
    }

    /// `mayMatch(constants:)` is false exactly when no pattern can match any event with that
    /// constant part: checked against full matching over varied details, for rule sets whose
    /// every pattern requires `source` or `detail-type`, and for sets where one does not.
    @Test func constantPartsNoRuleLooksAt() throws {
        func compile(_ patterns: [String]) throws -> CompiledPatterns {
            try CompiledPatterns(try patterns.enumerated().map { i, p in NamedPattern(name: "c\(i)", file: nil, pattern: try JSONDocument(text: p).root) })
        }
        let gated = try compile([
            #"{"source":["aws.secretsmanager"],"detail":{"eventName":["GetSecretValue"]}}"#,
            #"{"$or":[{"source":["aws.kms"]},{"detail-type":["AWS Console Sign In via CloudTrail"]}],"detail":{"eventName":[{"prefix":""}]}}"#,
            #"{"source":[{"prefix":"aws.cloudtr"}],"account":["1"]}"#,
            #"{"source":[{"anything-but":["aws.s3","aws.ec2","aws.sts","aws.iam","aws.secretsmanager","aws.kms"]}],"detail-type":["AWS Service Event via CloudTrail"]}"#,
        ])
        #expect(gated.constantGateMatchers != nil)
        let constants: [(source: String, type: String, may: Bool)] = [
            ("aws.secretsmanager", "AWS API Call via CloudTrail", true),
            ("aws.kms", "AWS API Call via CloudTrail", true),
            ("aws.cloudtrail", "AWS API Call via CloudTrail", true),
            ("aws.s3", "AWS Console Sign In via CloudTrail", true),
            ("aws.s3", "AWS API Call via CloudTrail", false),
            ("aws.ec2", "AWS Service Event via CloudTrail", true),  // one gate per pattern: its detail-type passes
            ("aws.lambda", "AWS Service Event via CloudTrail", true),
            ("aws.lambda", "AWS API Call via CloudTrail", false),
        ]
        let details = [#"{"eventName":"GetSecretValue"}"#, #"{"eventName":"DisableKey"}"#, #"{}"#]
        for c in constants {
            let base = try JSONDocument(text: #"{"version":"0","detail-type":"\#(c.type)","source":"\#(c.source)"}"#)
            let matcher = PatternMatcher(gated)
            #expect(matcher.mayMatch(constants: base.root) == c.may, "\(c)")
            #expect(matcher.mayMatch(constants: base.root) == c.may, "\(c), cached")
            if !c.may {
                for d in details {
                    let detail = try JSONDocument(text: d)
                    for account in ["1", "2"] {
                        let whole = try JSONDocument(text: #"{"version":"0","detail-type":"\#(c.type)","source":"\#(c.source)","account":"\#(account)","detail":\#(d)}"#)
                        #expect(gated.matchingIndexes(event: whole.root, detail: nil).isEmpty, "\(c) \(d)")
                        #expect(gated.matchingIndexes(envelope: EnvelopeView(base: base.root, detail: detail.root)).isEmpty)
                    }
                }
            }
        }
        // One pattern without a constant-field condition: anything may match.
        let open = try compile([#"{"source":["aws.kms"]}"#, #"{"account":["1"]}"#])
        #expect(open.constantGateMatchers == nil)
        let base = try JSONDocument(text: #"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.s3"}"#)
        #expect(PatternMatcher(open).mayMatch(constants: base.root))
        // `exists: false` on source is satisfied by absence: not a gate.
        let absent = try compile([#"{"source":[{"exists":false}]}"#])
        #expect(PatternMatcher(absent).mayMatch(constants: base.root))
    }

    @Test func arrayConsistencyAcrossTheList() throws {
        let set = try CompiledPatterns([NamedPattern(name: "a", file: nil, pattern: try JSONDocument(text:
            #"{"resources":["arn:x"],"detail":{"resources":{"ARN":["arn:x"],"type":["T"]}}}"#).root)])
        let record = try JSONDocument(text: #"{"resources":[{"ARN":"arn:x","type":"U"},{"ARN":"arn:y","type":"T"}]}"#)
        let base = try JSONDocument(text: #"{"version":"0"}"#)
        var view = EnvelopeView(base: base.root, detail: record.root)
        view.addList("resources", elementsOf: record.root["resources"]?.index ?? -1, member: "ARN")
        // `detail.resources` needs one element with both values: none has.
        #expect(set.matchingIndexes(envelope: view) == [])
    }
}

/// The matcher's cache of verdicts on constant parts is bounded: constants built for every record
/// (a hostile file naming a new source in each) are answered, not all kept alive.
@Suite struct ConstantsVerdictBoundTests {
    @Test func verdictsBeyondTheLimitAreAnsweredButNotKept() throws {
        let patterns = try CompiledPatterns([NamedPattern(name: "sm", file: nil, pattern: try JSONDocument(text: #"{"source":["aws.secretsmanager"]}"#).root)])
        let matcher = PatternMatcher(patterns)
        for i in 0..<(PatternMatcher.verdictLimit + 100) {
            let source = i % 2 == 0 ? "aws.secretsmanager" : "aws.svc\(i)"
            let base = try JSONDocument(text: #"{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"\#(source)"}"#)
            #expect(matcher.mayMatch(constants: base.root) == (i % 2 == 0), "\(source)")
        }
        #expect(matcher.verdictCount == PatternMatcher.verdictLimit)
    }
}
