import Foundation
import Testing
@testable import TrailVerify

/// Digests and key files are attacker-made: damaged ones are reported with their path and what
/// is wrong, never a crash, and do not hide the rest of the tree.
@Suite(.enabled(if: SignedTree.tool != nil, SignedTree.unavailable))
struct HostileDigestTests {
    @Test func damagedDigestsAreReportedByPath() throws {
        let tree = try SignedTree(["--seed", "6"])
        let digests = try FileManager.default.subpathsOfDirectory(atPath: tree.root.path)
            .filter { $0.contains("_CloudTrail-Digest_") && $0.hasSuffix(".json.gz") }.sorted()
        try #require(digests.count > 10)
        let truncated = tree.root.appendingPathComponent(digests[3])
        let data = try Data(contentsOf: truncated)
        try data.prefix(data.count / 2).write(to: truncated)
        let notJSON = tree.root.appendingPathComponent(digests[7])
        try Data("{\"awsAccountId\": [".utf8).write(to: notJSON)

        let keyBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tree.publicKeys)))
        let report = try TreeVerifier(keys: try PublicKeyRing(json: keyBytes, path: tree.publicKeys), jobs: 1)
            .verify(paths: [tree.root.path])
        let unreadable = report.findings.filter { $0.kind == .digestUnreadable }
        #expect(Set(unreadable.map(\.file)) == [truncated.path, notJSON.path])
        #expect(unreadable.contains { $0.detail.contains("byte") })
        // The digests that name them do not also call them missing.
        #expect(!report.findings.contains { $0.kind == .digestMissing })
    }

    @Test func badKeyFilesAreErrorsNamingTheField() {
        func load(_ text: String) throws(VerifyError) -> PublicKeyRing { try PublicKeyRing(json: Array(text.utf8), path: "keys.json") }
        #expect(throws: VerifyError.self) { try load("[") }
        #expect(throws: VerifyError.self) { try load(#"{"PublicKeyList":[{"Value":"%%%"}]}"#) }
        #expect(throws: VerifyError.self) { try load(#"{"PublicKeyList":[{"Value":"AAAA"}]}"#) }
        do {
            _ = try load(#"{"PublicKeyList":[{"Fingerprint":"x"}]}"#)
            Issue.record("a key without Value was accepted")
        } catch {
            #expect(error.jsonPath == "PublicKeyList[0].Value")
        }
    }

    @Test func keysAreIndexedByTheMD5OfTheirDER() throws {
        let tree = try SignedTree(["--seed", "7"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tree.publicKeys)))
        let ring = try PublicKeyRing(json: bytes, path: tree.publicKeys)
        let listed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        let fingerprints = (listed?["PublicKeyList"] as? [[String: Any]] ?? []).compactMap { $0["Fingerprint"] as? String }
        #expect(!fingerprints.isEmpty)
        #expect(Set(ring.keys.keys) == Set(fingerprints.map { $0.lowercased() }))
    }
}
