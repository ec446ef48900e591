import Foundation
import Testing
import TrailDetect
import TrailJSON
import TrailModel

@Suite struct ShippedRulesTests {
    static let names = [
        "kms-key-disabled-or-deleted", "organization-left", "secret-batch-catch-all", "secret-batch-retrieval-regions",
        "secret-batch-retrieval-volume", "secret-deletion-cancelled",
        "secret-deletion-scheduled", "secret-read-burst", "secret-read-by-new-principal", "secret-read-by-root",
        "secret-read-denied-burst", "secret-read-pending-deletion", "secret-resource-policy-changed", "secret-rotation-cancelled",
        "secret-rotation-failed", "trail-deleted", "trail-event-selectors-narrowed", "trail-logging-stopped", "trail-weakened",
    ]

    @Test func builtInCopiesMatchRulesDirectory() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Paths.rulesDir.path).filter { $0.hasSuffix(".json") }.sorted()
        let onDisk = try files.map { ("Rules/" + $0, String(decoding: try Paths.bytes(Paths.rulesDir.appendingPathComponent($0)), as: UTF8.self)) }
        let builtIn = RuleLoader.shipped.map { ($0.file, $0.json) }
        #expect(builtIn.map(\.0) == onDisk.map(\.0), "Rules/ and ShippedRules.swift list different files")
        for (a, b) in zip(builtIn, onDisk) {
            #expect(a.1 == b.1, "\(a.0) differs from its built-in copy in Sources/TrailDetect/ShippedRules.swift")
        }
    }

    @Test func shippedRulesLoad() throws {
        let rules = try RuleLoader.loadShipped()
        #expect(rules.map(\.name).sorted() == Self.names)
        for r in rules { #expect(r.file == "Rules/\(r.name).json") }
        _ = try DetectionEngine(rules: rules, state: [])
    }

    func fixture(_ rule: String, _ kind: String) throws -> [UInt8] {
        try Paths.bytes(Paths.fixtures.appendingPathComponent("rules/\(rule).\(kind).json"))
    }

    /// All records in one file, and each record in its own file, in delivery order.
    func run(_ bytes: [UInt8], oneFilePerRecord: Bool) throws -> (alerts: [Alert], records: [JSONValue]) {
        let h = try Harness(rules: try RuleLoader.loadShipped())
        let records = try Harness.records(bytes: bytes)
        if oneFilePerRecord {
            var all: [Alert] = []
            for (i, r) in records.enumerated() { all += h.file([r], path: "f\(i)").alerts }
            return (all, records)
        }
        return (h.file(records).alerts, records)
    }

    @Test(arguments: names, [false, true])
    func firesOnRealisticRecord(rule: String, split: Bool) throws {
        let (alerts, records) = try run(try fixture(rule, "fire"), oneFilePerRecord: split)
        let mine = alerts.filter { $0.rule == rule }
        let lastID = records.last?["eventID"]?.string
        #expect(mine.count == 1, "\(rule): \(mine.map(\.summary))")
        #expect(mine.first?.eventID == lastID, "\(rule) should alert on the last record")
        #expect(mine.first?.summary.isEmpty == false)
    }

    @Test(arguments: names, [false, true])
    func doesNotFireOnNearMiss(rule: String, split: Bool) throws {
        let (alerts, _) = try run(try fixture(rule, "miss"), oneFilePerRecord: split)
        #expect(alerts.filter { $0.rule == rule }.map(\.summary) == [])
    }

    @Test func fixtureAlertsAreOnlyTheIntendedOnes() throws {
        // Other shipped rules may fire on a fixture only where that is also right.
        let (alerts, _) = try run(try fixture("secret-read-burst", "fire"), oneFilePerRecord: false)
        #expect(Set(alerts.map(\.rule)) == ["secret-read-burst"])
    }
}
