import Foundation
import Testing

/// A signed tree written by `../shared/tools/gen-cloudtrail --sign` (beside the package root, as CI
/// places it), in a temporary directory removed on release, with its manifest's `tampering` list.
final class SignedTree {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// One `manifest.json` `tampering[]` entry.
    struct Tampering {
        var kind: String
        var path: String
        var paths: [String]
        var digest: String?
        var account: String
        var region: String
        var windows: [(String, String)]
    }

    let root: URL
    let tampering: [Tampering]
    var publicKeys: String { root.appendingPathComponent("public-keys.json").path }

    /// The generator, when a `shared/tools/gen-cloudtrail` exists above the package root.
    static let tool: URL? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/tools/gen-cloudtrail")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    static let unavailable: Comment = "needs ../shared/tools/gen-cloudtrail with python3 and the cryptography package (present in CI beside the clone)"

    /// Writes a small one-day tree with `arguments` added (`--sign` always).
    init(_ arguments: [String]) throws {
        guard let tool = Self.tool else { throw Failed(description: Self.unavailable.description) }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("trailwatch-verify-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = tool
        process.arguments = ["-o", root.path, "-q", "-j", "1", "-n", "2000", "--days", "1", "--accounts", "2",
                             "--regions", "2", "--sign"] + arguments
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(description: "gen-cloudtrail \(arguments) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("manifest.json"))) as? [String: Any]
        let list = manifest?["tampering"] as? [[String: Any]] ?? []
        tampering = list.map { t in
            Tampering(
                kind: t["kind"] as? String ?? "", path: t["path"] as? String ?? "", paths: t["paths"] as? [String] ?? [],
                digest: t["digest"] as? String, account: t["account"] as? String ?? "", region: t["region"] as? String ?? "",
                windows: (t["windows"] as? [[String]] ?? []).map { ($0[0], $0[1]) })
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }
}
