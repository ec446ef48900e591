import Foundation

/// A tree written by `gen-cloudtrail`: `root/AWSLogs/...`, `root/manifest.json` and optionally a truth file.
///
/// Point `trailwatch backfill` at `logs` (`root/AWSLogs`), not at `root`: the manifest and truth files
/// beside it are not CloudTrail logs.
struct GeneratedTree {
    struct Manifest: Decodable {
        struct Counts: Decodable {
            var logFiles: Int
            var records: Int
            var uncompressedBytes: Int
            var compressedBytes: Int
            var digestFiles: Int
            var truthRecords: Int
        }
        struct CorruptFile: Decodable {
            var path: String
            var kind: String
            var valid: Bool
            var records: Int
            var bytes: Int
        }
        var seed: Int
        var counts: Counts
        var corruptFiles: [CorruptFile]
    }

    /// One line of the ground-truth file: a record that belongs to a planted incident.
    struct TruthRecord: Decodable {
        var incident: String
        var kind: String
        var eventID: String
        var eventName: String
        var file: String?
    }

    var root: URL
    var manifest: Manifest
    var truth: [TruthRecord]

    /// The `AWSLogs` directory to give to `trailwatch`.
    var logs: URL { root.appendingPathComponent("AWSLogs", isDirectory: true) }

    init(root: URL, truthURL: URL?) throws {
        self.root = root
        manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: root.appendingPathComponent("manifest.json")))
        var lines: [TruthRecord] = []
        if let truthURL {
            let text = try String(contentsOf: truthURL, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.isEmpty {
                lines.append(try JSONDecoder().decode(TruthRecord.self, from: Data(line.utf8)))
            }
        }
        truth = lines
    }

    /// Truth records grouped by planted incident (`incident` + `kind`): one detection each.
    var incidents: [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for record in truth { out["\(record.incident)/\(record.kind)", default: []].insert(record.eventID) }
        return out
    }
}
