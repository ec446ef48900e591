import Foundation
import Testing
import TrailDetect
import TrailJSON
import TrailModel

/// Precision and recall of the shipped rules on trees from `gen-cloudtrail --days 14
/// --scenarios all`, flattened to `files.jsonl` (one line per log file, in delivery order:
/// `{"file": ..., "Records": [...]}`) next to `truth.jsonl`. Opt-in: set
/// `TRAILWATCH_GENERATED_TREES` to one or more such directories, separated by `:`.
/// The end-to-end test through the real pipeline lives with the CLI tests.
@Suite struct GeneratedTreeTests {
    static var trees: [String] {
        (ProcessInfo.processInfo.environment["TRAILWATCH_GENERATED_TREES"] ?? "").split(separator: ":").map(String.init)
    }

    @Test(.enabled(if: !trees.isEmpty)) func everyIncidentAlertedAndNothingElse() throws {
        for dir in Self.trees {
            var incidentOf: [String: String] = [:]
            for line in try String(contentsOfFile: dir + "/truth.jsonl", encoding: .utf8).split(separator: "\n") {
                let doc = try JSONDocument(bytes: Array(line.utf8))
                if let id = doc.root["eventID"]?.string, let inc = doc.root["incident"]?.string { incidentOf[id] = inc }
            }
            let h = try Harness(rules: try RuleLoader.loadShipped())
            var alerts: [Alert] = []
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/files.jsonl"))
            var start = data.startIndex
            var files = 0
            while start < data.endIndex {
                let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
                if end > start {
                    let doc = try JSONDocument(bytes: Array(data[start..<end]))
                    let records = Array(doc.root["Records"]?.elements.map { $0 } ?? [])
                    alerts += h.file(records, path: doc.root["file"]?.string ?? "?").alerts
                    files += 1
                }
                start = end + 1
            }
            let incidents = Set(incidentOf.values)
            let found = Set(alerts.compactMap { incidentOf[$0.eventID] })
            let falsePositives = alerts.filter { incidentOf[$0.eventID] == nil }
            let byRule = Dictionary(grouping: alerts, by: \.rule).mapValues(\.count).sorted { $0.key < $1.key }
            print("GENERATED \(dir): files \(files), alerts \(alerts.count), incidents \(found.count)/\(incidents.count), false positives \(falsePositives.count), by rule \(byRule)")
            for a in falsePositives { print("FALSE POSITIVE \(a.rule) \(a.eventID) \(a.summary)") }
            for a in alerts { print("ALERT \(a.rule) \(a.severity) \(incidentOf[a.eventID] ?? "-") \(a.summary)") }
            #expect(found == incidents, "missed: \(incidents.subtracting(found).sorted())")
            #expect(falsePositives.isEmpty)
        }
    }
}
