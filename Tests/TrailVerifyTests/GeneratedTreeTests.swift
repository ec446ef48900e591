import Foundation
import Testing
import TrailModel
@testable import TrailVerify

/// Real signed chains from `gen-cloudtrail --sign`: an untampered tree verifies with no finding,
/// and every kind of tampering the generator does is found and named, across seeds and layouts.
@Suite(.enabled(if: SignedTree.tool != nil, SignedTree.unavailable))
struct GeneratedTreeTests {
    func verify(_ tree: SignedTree) throws -> VerificationReport {
        let keyBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tree.publicKeys)))
        let keys = try PublicKeyRing(json: keyBytes, path: tree.publicKeys)
        return try TreeVerifier(keys: keys, jobs: 2).verify(paths: [tree.root.path])
    }

    static let layouts: [[String]] = [
        ["--seed", "1"],
        ["--seed", "2"],
        ["--seed", "3", "--org"],
        ["--seed", "4", "--s3-prefix", "audit/trails"],
    ]

    @Test(arguments: layouts)
    func untamperedTreeHasNoFinding(layout: [String]) throws {
        let tree = try SignedTree(layout)
        let report = try verify(tree)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.spans.count == 4)
        #expect(report.digestFiles > 0)
        for span in report.spans {
            #expect(span.signaturesVerified == span.digests)
            #expect(span.logsVerified == span.logsListed)
            #expect(span.newestVerifiedDigest != nil)
        }
    }

    /// A digest rewritten to claim 0001-01-01 onwards (its signature then fails) set the chain's
    /// verified span to start in year 1 and, spanning to 9999, would have hidden every gap. A
    /// digest whose signature fails now covers nothing: its own hour is reported as a gap.
    @Test func aForgedDigestCoversNoTime() throws {
        let tree = try SignedTree(["--seed", "6"])
        let before = try verify(tree)
        try #require(before.findings.isEmpty, "\(before.findings)")
        let digests = try FileManager.default.subpathsOfDirectory(atPath: tree.root.path)
            .filter { $0.contains("CloudTrail-Digest/") && $0.hasSuffix(".json.gz") }.sorted()
        let victim = try #require(digests.dropFirst(2).first)
        let path = tree.root.appendingPathComponent(victim).path
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", #"gzip -dc "$1" | sed -E 's/"digestStartTime":"[^"]*"/"digestStartTime":"0001-01-01T00:00:00Z"/; s/"digestEndTime":"[^"]*"/"digestEndTime":"9999-12-31T23:00:00Z"/' | gzip > "$1.new" && mv "$1.new" "$1""#, "sh", path]
        try shell.run()
        shell.waitUntilExit()
        try #require(shell.terminationStatus == 0)
        let report = try verify(tree)
        #expect(report.findings.contains { $0.kind == .digestBadSignature && $0.file.hasSuffix(victim) }, "\(report.findings)")
        for span in report.spans {
            #expect(span.start.iso8601 > "2000", "a forged digest set the span's start: \(span)")
            #expect(span.end.iso8601 < "9000", "a forged digest set the span's end: \(span)")
        }
        let (account, region) = (before.spans.first { victim.contains("/\($0.account)/") && victim.contains("/\($0.region)/") }).map { ($0.account, $0.region) } ?? ("", "")
        #expect(report.findings.contains { $0.kind == .loggingGap && $0.account == account && $0.region == region },
                "the forged digest's hour is not reported as uncovered: \(report.findings)")
    }

    @Test func withoutSidecarsOnlyEachChainsNewestDigestIsUnchecked() throws {
        let tree = try SignedTree(["--seed", "5", "--no-sidecars"])
        let report = try verify(tree)
        #expect(report.problems.isEmpty, "\(report.problems)")
        let unchecked = report.findings.filter { $0.kind == .digestUnchecked }
        #expect(unchecked.count == report.spans.count)
        for span in report.spans {
            #expect(unchecked.contains { $0.account == span.account && $0.region == span.region && $0.end == span.end })
        }
    }

    @Test(arguments: layouts)
    func everyTamperingIsFoundAndNamed(layout: [String]) throws {
        let tree = try SignedTree(layout + ["--tamper", "all"])
        let report = try verify(tree)
        #expect(Set(tree.tampering.map(\.kind)) == [
            "delete-log", "alter-log", "add-log", "delete-digest", "delete-two-digests", "alter-digest",
            "resign-forged-digest", "gap",
        ])
        func has(_ kind: Finding.Kind, file: String, digest: String? = nil, _ t: SignedTree.Tampering) -> Bool {
            report.findings.contains { f in
                f.kind == kind && f.account == t.account && f.region == t.region && f.file.hasSuffix(file)
                    && (digest.map { d in f.digest?.hasSuffix(d) == true } ?? true)
            }
        }
        func hasGap(from: String, to: String, _ t: SignedTree.Tampering) -> Bool {
            report.findings.contains { f in
                f.kind == .loggingGap && f.account == t.account && f.region == t.region
                    && f.start?.iso8601.hasPrefix(String(from.dropLast())) == true
                    && f.end?.iso8601.hasPrefix(String(to.dropLast())) == true
            }
        }
        for t in tree.tampering {
            let seen = report.findings.filter { $0.account == t.account && $0.region == t.region }
                .map { "\($0.kind.rawValue) \($0.file) [\($0.detail)]" }
            switch t.kind {
            case "delete-log":
                #expect(has(.logMissing, file: t.path, digest: t.digest, t), "\(t.kind): \(seen)")
            case "alter-log":
                #expect(has(.logAltered, file: t.path, digest: t.digest, t), "\(t.kind): \(seen)")
            case "add-log":
                #expect(has(.logUnlisted, file: t.path, digest: t.digest, t), "\(t.kind): \(seen)")
            case "delete-digest":
                #expect(has(.digestMissing, file: t.path, t), "\(t.kind): \(seen)")
            case "delete-two-digests":
                // The newer one is named by its successor; the older one's hour is a gap named by none.
                #expect(has(.digestMissing, file: t.paths[1], t), "\(t.kind): \(seen)")
                #expect(hasGap(from: t.windows[0].0, to: t.windows[0].1, t), "\(t.kind): \(seen)")
            case "alter-digest":
                #expect(has(.digestBadSignature, file: t.path, t), "\(t.kind): \(seen)")
                #expect(has(.digestAltered, file: t.path, t), "\(t.kind): \(seen)")
            case "resign-forged-digest":
                #expect(has(.digestUnknownKey, file: t.paths[0], t), "\(t.kind): \(seen)")
                #expect(has(.digestAltered, file: t.paths[0], t), "\(t.kind): \(seen)")
            case "gap":
                #expect(hasGap(from: t.windows.first!.0, to: t.windows.last!.1, t), "\(t.kind): \(seen)")
            default:
                Issue.record("unknown tampering kind \(t.kind)")
            }
        }
        // Nothing is reported in an account and region that was not tampered with.
        let tampered = Set(tree.tampering.map { "\($0.account)/\($0.region)" })
        for f in report.problems {
            #expect(tampered.contains("\(f.account)/\(f.region)"), "\(f)")
        }
    }
}
