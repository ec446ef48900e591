import Foundation
import Testing
import TrailIngest
import TrailModel
@testable import TrailVerify

/// What `tail` finds when digests land one by one: on an untampered tree nothing, and every
/// digest signed by a known key verified; on a tampered tree the problems each landing can see.
@Suite(.enabled(if: SignedTree.tool != nil, SignedTree.unavailable))
struct DigestWatchTests {
    /// Every digest of the tree, checked in delivery order as `tail` would see them land.
    func landAll(_ tree: SignedTree) throws -> (findings: [Finding], verified: Int, digests: Int) {
        let keyBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tree.publicKeys)))
        let watch = DigestWatch(keys: try PublicKeyRing(json: keyBytes, path: tree.publicKeys))
        let digests = try ArchiveWalker.files(in: [tree.root.path]).map(\.path)
            .filter { TrailObjectName.parse($0)?.kind == .digest }
        var findings: [Finding] = []
        var verified = Set<String>()
        for path in digests {
            let bytes = try FileReader.read(path: path).bytes
            let outcome = try #require(watch.check(path: path, bytes: bytes, lastKnownEnd: nil))
            findings += outcome.findings
            verified.formUnion(outcome.verified.map(\.path))
        }
        return (findings, verified.count, digests.count)
    }

    @Test func untamperedTreeRaisesNothingAndVerifiesEveryDigest() throws {
        let result = try landAll(try SignedTree(["--seed", "8", "--org"]))
        #expect(result.findings.isEmpty, "\(result.findings)")
        #expect(result.verified == result.digests)
    }

    @Test func tamperingIsSeenAsDigestsLand() throws {
        let tree = try SignedTree(["--seed", "9", "--tamper", "all"])
        let result = try landAll(tree)
        func has(_ kind: Finding.Kind, _ file: String) -> Bool {
            result.findings.contains { $0.kind == kind && $0.file.hasSuffix(file) }
        }
        for t in tree.tampering {
            switch t.kind {
            case "delete-log": #expect(has(.logMissing, t.path), "\(t.kind)")
            case "alter-log": #expect(has(.logAltered, t.path), "\(t.kind)")
            case "delete-digest": #expect(has(.digestMissing, t.path), "\(t.kind)")
            case "delete-two-digests":
                #expect(has(.digestMissing, t.paths[1]), "\(t.kind)")
                #expect(result.findings.contains {
                    $0.kind == .loggingGap && $0.account == t.account && $0.region == t.region
                        && $0.start?.iso8601.hasPrefix(String(t.windows[0].0.dropLast())) == true
                        && $0.end?.iso8601.hasPrefix(String(t.windows[0].1.dropLast())) == true
                }, "\(t.kind)")
            case "alter-digest": #expect(has(.digestAltered, t.path) || has(.digestBadSignature, t.path), "\(t.kind)")
            case "resign-forged-digest": #expect(has(.digestUnknownKey, t.paths[0]), "\(t.kind)")
            case "gap":
                #expect(result.findings.contains {
                    $0.kind == .loggingGap && $0.account == t.account && $0.region == t.region
                        && $0.start?.iso8601.hasPrefix(String(t.windows[0].0.dropLast())) == true
                }, "\(t.kind)")
            default: break  // add-log: a file no digest lists is seen only by `verify`, over the whole tree.
            }
        }
    }
}
