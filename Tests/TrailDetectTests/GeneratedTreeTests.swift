import Foundation
import Testing
import TrailDecode
import TrailDetect
import TrailIngest
import TrailJSON
import TrailModel

/// Precision and recall of the shipped rules on trees written by `gen-cloudtrail --days 14
/// --scenarios all --truth DIR/truth.jsonl`: every planted incident must be alerted (an alert's
/// eventID is one of its records) and no alert may fire on a record outside the truth file.
/// Files are read as the pipeline reads them (walker order, gunzip, decoder, normaliser, secret
/// catalog, envelope, compiled patterns), without the store. Opt-in, as the trees are large:
/// set `TRAILWATCH_GENERATED_TREES` to one or more tree directories separated by `:`.
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
            var files = 0
            var stored = Set<String>()
            for file in try ArchiveWalker.files(in: [dir + "/AWSLogs"]) {
                let content = try FileReader.read(path: file.path)
                let decoded = try RecordDecoder.decode(content.bytes, path: file.path)
                guard decoded.skipReason == nil else { continue }
                files += 1
                // The pipeline hands the engine only events the store does not hold yet.
                let fresh = decoded.records.filter { r in r.record["eventID"]?.string.map { stored.insert($0).inserted } ?? true }
                alerts += h.file(decoded: fresh).alerts
            }
            let incidents = Set(incidentOf.values)
            let found = Set(alerts.compactMap { incidentOf[$0.eventID] })
            let falsePositives = alerts.filter { incidentOf[$0.eventID] == nil }
            let byRule = Dictionary(grouping: alerts, by: \.rule).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            print("GENERATED \(dir): files \(files), alerts \(alerts.count), incidents found \(found.count)/\(incidents.count), alerts outside truth \(falsePositives.count); \(byRule.joined(separator: " "))")
            for a in falsePositives { print("OUTSIDE TRUTH \(a.rule) \(a.eventID) \(a.summary)") }
            for a in alerts { print("ALERT \(a.rule) \(a.severity) \(incidentOf[a.eventID] ?? "-") \(a.summary)") }
            #expect(found == incidents, "missed: \(incidents.subtracting(found).sorted())")
            #expect(falsePositives.map { "\($0.rule) \($0.eventID) \($0.summary)" } == [])
        }
    }
}
