import Foundation
import Testing
import TrailDecode
import TrailJSON
import TrailModel

/// Real and documented records: the committed fixtures always, the shared corpus when present.
@Suite struct CorpusTests {
    @Test func stratusSecretRetrieval() throws {
        let bytes = try fixture("stratus-aws.credential-access.secretsmanager-retrieve-secrets.json")
        let file = try RecordDecoder.decode(bytes, path: "retrieve.json")
        #expect(file.format == .recordArray)
        #expect(file.records.count == 21 && file.invalid.isEmpty)
        let evs = try events(bytes)
        let gets = evs.filter { $0.eventName == "GetSecretValue" }
        #expect(gets.count == 20)
        #expect(Set(gets.compactMap { $0.secrets.first?.id }).count == 20)
        #expect(gets.allSatisfy { $0.secrets.count == 1 && $0.secrets[0].isFullARN && $0.principal.type == "IAMUser" })
        #expect(Set(gets.map(\.principal.id)).count == 1)
    }

    @Test func stratusBatchRetrieval() throws {
        let evs = try events(try fixture("stratus-aws.credential-access.secretsmanager-batch-retrieve-secrets.json"))
        #expect(evs.count == 5)
        #expect(evs.allSatisfy { $0.eventName == "BatchGetSecretValue" && $0.details.batchFilters?.first?.key == "tag-key" })
    }

    @Test func stratusFederatedUser() throws {
        let evs = try events(try fixture("stratus-aws.persistence.sts-federation-token.json"))
        #expect(evs.contains { $0.principal.type == "FederatedUser" && $0.principal.id.contains(":federated-user/") })
    }

    @Test func otrfJSONLinesWithLogstashKeys() throws {
        let file = try RecordDecoder.decode(try fixture("otrf-ec2-proxy-s3-exfiltration-first-12.jsonl"), path: "otrf.jsonl")
        #expect(file.format == .jsonLines)
        #expect(file.records.count == 12 && file.invalid.isEmpty)
        for r in file.records { _ = try Normaliser().normalise(r).get() }
    }

    @Test func awsDocsSecretsManagerRecords() throws {
        let evs = try events(try fixture("awsdocs-secretsmanager-records.jsonl"))
        #expect(evs.count == 11)
        let rotation = try #require(evs.first { $0.eventName == "RotationFailed" })
        #expect(rotation.principal == Principal(type: "AWSService", id: "secretsmanager.amazonaws.com", accountId: "123456789012"))
        #expect(rotation.secrets.map(\.id) == ["arn:aws:secretsmanager:us-east-2:123456789012:secret:MyDatabaseSecret-a1b2c3"])
        let delete = try #require(evs.first { $0.eventName == "DeleteSecret" })
        #expect(delete.secrets.count == 1 && delete.secrets[0].isFullARN && delete.secrets[0].name == "MyDatabaseSecret")
        #expect(delete.details.recoveryWindowInDays == 30)
        let decrypt = try #require(evs.first { $0.eventName == "Decrypt" })
        #expect(decrypt.secrets.map(\.name) == ["test-secret"])
        #expect(decrypt.details.kmsKeys == ["arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"])

        // Names from CreateSecret requests resolve once a full ARN has been seen.
        var catalog = SecretCatalog(known: [])
        var resolved = evs
        for i in resolved.indices { catalog.resolve(&resolved[i]) }
        #expect(catalog.learned.count == 5)
    }

    @Test func awsDocsKMSRecords() throws {
        let evs = try events(try fixture("awsdocs-kms-records.jsonl"))
        #expect(evs.count == 6)
        let deleteKey = try #require(evs.first { $0.eventName == "DeleteKey" })
        #expect(deleteKey.principal.type == "AWSService" && deleteKey.principal.id == "AWS Internal")
        #expect(evs.filter { $0.eventName == "ScheduleKeyDeletion" }.allSatisfy { $0.details.pendingWindowInDays != nil })
        #expect(evs.first { $0.eventName == "PutKeyPolicy" }?.details.policy?.contains("Version") == true)
    }

    @Test func awsDocsLogFileAndEnvelope() throws {
        let log = try RecordDecoder.decode(try fixture("awsdocs-log-file.json"), path: "log.json")
        #expect(log.format == .cloudTrailLog && log.records.count == 4)
        let eb = try RecordDecoder.decode(try fixture("awsdocs-eventbridge-envelope.json"), path: "eb.json")
        #expect(eb.format == .eventBridge && eb.records.count == 1)
        let e = try Normaliser().normalise(eb.records[0]).get()
        let env = EnvelopeBuilder.envelope(for: e, record: eb.records[0].record)
        let original = try JSONDocument(bytes: try fixture("awsdocs-eventbridge-envelope.json")).root
        for key in ["version", "detail-type", "source", "account", "time", "region"] {
            #expect(env.root[key]?.string == original[key]?.string, "\(key)")
        }
    }

    /// Every record of the shared corpus decodes and normalises (skipped when the corpus is absent).
    @Test func sharedCorpus() throws {
        guard let dir = sharedCorpusDirectory() else { return }
        let fm = FileManager.default
        var files = 0, records = 0
        func check(_ bytes: [UInt8], _ path: String) throws {
            let file = try RecordDecoder.decode(bytes, path: path)
            files += 1
            for r in file.records {
                records += 1
                _ = try Normaliser().normalise(r).get()
            }
            #expect(file.invalid.isEmpty || path.hasSuffix(".jsonl"), "\(path): \(file.invalid.first.map { "\($0)" } ?? "")")
        }
        // Plain files: Stratus arrays, OTRF lines, Elastic pipeline inputs (read here only, never copied).
        for sub in ["stratus-red-team/detonation-logs", "otrf-security-datasets", "elastic-integrations"] {
            let d = dir.appendingPathComponent(sub)
            for name in try fm.contentsOfDirectory(atPath: d.path).sorted() {
                try check([UInt8](try Data(contentsOf: d.appendingPathComponent(name))), sub + "/" + name)
            }
        }
        // Wrapped JSON lines: the record sits in `record` (Panther) or `document` (AWS docs).
        for (file, key) in [("panther-analysis/aws_cloudtrail_rules_test_events.jsonl", "record"),
                            ("aws-docs-examples/aws_docs_example_events.jsonl", "document")] {
            let outer = try RecordDecoder.decode([UInt8](try Data(contentsOf: dir.appendingPathComponent(file))), path: file)
            #expect(outer.format == .unknownJSON) // wrappers are not records themselves
            let doc = try JSONDocument(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent(file))), allowMultipleRoots: true)
            for (i, line) in doc.roots.enumerated() {
                guard let inner = line[key] else { continue }
                let bytes = Array(inner.rawBytes)
                let name = "\(file)#\(i)"
                let decoded = try RecordDecoder.decode(bytes, path: name)
                files += 1
                for r in decoded.records {
                    records += 1
                    _ = try Normaliser().normalise(r).get()
                }
            }
        }
        #expect(files > 500)
        // 992 records in all: Insight records are skipped, records without eventID (old doc
        // examples) are invalid, and 176 Panther test events carry a zone-less Panther time
        // ("2025-01-21 17:49:47.000000000") instead of CloudTrail's, which is rejected.
        #expect(records == 805)
    }
}
