import Foundation
import Testing
import TrailDecode
import TrailJSON
import TrailModel

/// A sketch describes exactly the envelope ``EnvelopeBuilder`` builds from the normalised event.
@Suite struct EnvelopeSketcherTests {
    private static let shared = EnvelopeConstantsCache()

    /// Top-level members of the envelope a sketch describes, each as its decoded strings.
    private func members(of sketch: RecordSketch, record: JSONValue) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (k, v) in sketch.constants.members { out[k.string ?? "?"] = [v.string ?? "?"] }
        let doc = record.document
        for (key, node) in [("id", sketch.eventID), ("time", sketch.time), ("region", sketch.region), ("account", sketch.account)] {
            out[key] = [JSONValue(document: doc, index: node).string ?? "?"]
        }
        var arns: [String] = []
        if sketch.resources >= 0 {
            for e in JSONValue(document: doc, index: sketch.resources).elements {
                if let arn = e["ARN"], let s = arn.string { arns.append(s) }
            }
        }
        out["resources"] = arns
        return out
    }

    private func members(ofBuilt envelope: JSONDocument) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (k, v) in envelope.root.members {
            out[k.string ?? "?"] = v.isArray ? v.elements.map { $0.string ?? "?" } : [v.string ?? "?"]
        }
        return out
    }

    /// Checks every record of `file`: a sketch, when there is one, agrees with the normaliser and
    /// the builder. Returns how many records got a sketch.
    @discardableResult
    private func check(_ file: DecodedFile) throws -> Int {
        var sketcher = EnvelopeSketcher(shared: Self.shared)
        var sketched = 0
        for r in file.records {
            // A decoded record carries what the decoder read of it; a bare value is read afresh.
            // Both ways give the same sketch.
            let fresh = sketcher.sketch(r.record)
            #expect(describe(sketcher.sketch(r)) == describe(fresh), "\(r.record.rawText)")
            guard let sketch = fresh else { continue }
            sketched += 1
            let e = try Normaliser().normalise(r).get()
            #expect(sketch.eventTime == e.eventTime)
            #expect(sketch.isSecretsManager == (e.eventSource == "secretsmanager.amazonaws.com"))
            #expect(sketch.isKMS == (e.eventSource == "kms.amazonaws.com"))
            if sketch.isKMS, !sketch.kmsMayNameSecret { #expect(e.secrets.isEmpty) }
            if !sketch.isKMS { #expect(!sketch.kmsMayNameSecret) }
            #expect(members(of: sketch, record: r.record) == members(ofBuilt: EnvelopeBuilder.envelope(for: e, record: r.record)))
        }
        return sketched
    }

    private func describe(_ s: RecordSketch?) -> String {
        guard let s else { return "none" }
        return "\(s.constants.rawText) \(s.eventID) \(s.time) \(s.region) \(s.account) \(s.resources) \(s.eventTime.milliseconds) "
            + "\(s.isSecretsManager) \(s.isKMS) \(s.kmsMayNameSecret)"
    }

    /// The same records inside a log file's `Records` array (where the decoder checks each
    /// record in the pass that finds the members the sketcher reads) and as JSON lines.
    @Test(arguments: [true, false]) func aLogFilesRecordsSketchAsTheirLines(inRecords: Bool) throws {
        let lines = [
            record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt""#, id: "plain"),
            record(#""eventSource":"secretsmanager.amazonaws.com""#, id: "fraction", time: "2024-06-03T10:00:00.5Z"),
            #"{"eventID":"escaped-time","eventTime":"2024-06-03T10:00:0\u0030Z","awsRegion":"us-east-1","recipientAccountId":"1"}"#,
            #"{"eventID":"logstash","@timestamp":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"1"}"#,
            #"{"eventID":"both","@timestamp":"2024-06-03T11:00:00Z","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"1"}"#,
            #"{"eventID":"twice","eventTime":"bad","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"1"}"#,
        ]
        let text = inRecords ? #"{"Records":["# + lines.joined(separator: ",") + "]}" : lines.joined(separator: "\n")
        let file = try decode(text)
        #expect(file.format == (inRecords ? .cloudTrailLog : .jsonLines))
        #expect(file.records.map { $0.record["eventID"]?.string } == ["plain", "fraction", "escaped-time", "logstash", "both", "twice"])
        var sketcher = EnvelopeSketcher()
        #expect(file.records.map { sketcher.sketch($0) != nil } == [true, true, false, false, true, true])
        let times = try file.records.map { try Normaliser().normalise($0).get().eventTime.iso8601 }
        #expect(times == ["2024-06-03T10:00:00Z", "2024-06-03T10:00:00.500Z", "2024-06-03T10:00:00Z", "2024-06-03T10:00:00Z",
                          "2024-06-03T10:00:00Z", "2024-06-03T10:00:00Z"])
        #expect(try check(file) == 4)
    }

    @Test func plainRecordsAgreeWithTheBuilder() throws {
        let lines = [
            record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","eventType":"AwsApiCall","resources":[{"ARN":"arn:aws:kms:us-east-1:123456789012:key/k","type":"AWS::KMS::Key"},{"type":"x"},{"ARN":1}]"#),
            record(#""eventSource":"secretsmanager.amazonaws.com","eventType":"AwsServiceEvent","eventName":"RotationFailed""#, id: "e2"),
            record(#""eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn""#, id: "e3", time: "2024-06-03T10:00:00.123Z"),
            record(#""eventSource":"ec2.amazonaws.com","eventType":"SomethingNew""#, id: "e4"),
            record(#""eventSource":"noDot","eventType":7"#, id: "e5"),
            record(#""eventType":"AwsVpceEvent""#, id: "e6"),
            // The account comes from the identity when `recipientAccountId` is empty.
            #"{"eventID":"e7","eventTime":"2024-06-03T10:00:00Z","awsRegion":"eu-west-1","recipientAccountId":"","userIdentity":{"type":"IAMUser","accountId":"210987654321"},"eventSource":"s3.amazonaws.com"}"#,
            #"{"eventID":"e8","eventTime":"2024-06-03T10:00:00Z","awsRegion":"eu-west-1","userIdentity":{"type":"AssumedRole","accountId":"210987654321"},"eventSource":"s3.amazonaws.com"}"#,
        ]
        let file = try decode(lines.joined(separator: "\n"))
        #expect(file.records.count == lines.count)
        #expect(try check(file) == lines.count)
    }

    @Test func kmsRecordsThatCannotNameASecret() throws {
        let lines = [
            record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt""#, id: "plain"),
            record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"SecretARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}}"#, id: "named"),
            record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","requestParameters":{"encryptionContext":{"SecretARN":"arn:aws:secrets\u006danager:us-east-1:123456789012:secret:db-AbCdEf"}}"#, id: "escaped"),
        ]
        let file = try decode(lines.joined(separator: "\n"))
        var sketcher = EnvelopeSketcher()
        let flags = file.records.map { sketcher.sketch($0.record)?.kmsMayNameSecret }
        #expect(flags == [false, true, true])
        let named = try file.records.map { try Normaliser().normalise($0).get().secrets.count }
        #expect(named == [0, 1, 1])
        try check(file)
    }

    @Test func unusualFormsTakeTheNormalisingPath() throws {
        let lines = [
            record(#""eventSource":"kms.amazon\u0061ws.com""#, id: "escaped-source"),
            record(#""eventSource":"kms.amazonaws.com""#, id: #"escaped\"id"#),
            record(#""eventSource":"kms.amazonaws.com""#, id: "caf\u{e9}"),
            record(#""eventType":"AwsService\u0045vent""#, id: "escaped-type"),
            #"{"eventID":"no-region","eventTime":"2024-06-03T10:00:00Z","recipientAccountId":"1"}"#,
            #"{"eventID":"no-account","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1"}"#,
            #"{"eventID":"issuer-account","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"accountId":"1"}}}}"#,
            #"{"eventID":"escaped-account","eventTime":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"\u0031"}"#,
            #"{"eventID":"logstash","@timestamp":"2024-06-03T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"1"}"#,
        ]
        let file = try decode(lines.joined(separator: "\n"))
        #expect(file.records.count == lines.count)
        var sketcher = EnvelopeSketcher()
        for r in file.records { #expect(sketcher.sketch(r.record) == nil, "\(r.record.rawText)") }
    }

    @Test func committedFixturesAgreeWithTheBuilder() throws {
        for name in ["awsdocs-log-file.json", "awsdocs-kms-records.jsonl", "awsdocs-secretsmanager-records.jsonl",
                     "otrf-ec2-proxy-s3-exfiltration-first-12.jsonl", "awsdocs-eventbridge-envelope.json",
                     "stratus-aws.credential-access.secretsmanager-retrieve-secrets.json",
                     "stratus-aws.persistence.sts-federation-token.json"] {
            try check(try RecordDecoder.decode(try fixture(name), path: name))
        }
    }

    @Test func sharedCorpusAgreesWithTheBuilder() throws {
        guard let dir = sharedCorpusDirectory(),
              let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return }
        for case let url as URL in walker where ["json", "jsonl"].contains(url.pathExtension) {
            guard let data = try? Data(contentsOf: url),
                  let file = try? RecordDecoder.decode([UInt8](data), path: url.path) else { continue }
            try check(file)
        }
    }
}
