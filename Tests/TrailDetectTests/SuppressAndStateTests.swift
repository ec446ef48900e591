import Testing
import TrailDetect
import TrailJSON
import TrailModel

@Suite struct SuppressTests {
    let rule = Ev.rule("plain", suppress: SuppressConfig(by: [.principal], for: .hours(1)))

    @Test func repeatsInTheSameFileFoldIntoTheFirstAlert() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        let out = e.process(Ev.items((0..<4).map { Ev.event("e\($0)", at: Ev.at(minutes: Double($0) * 10), by: Ev.role("p")) }))
        #expect(out.alerts.map(\.eventID) == ["e0"])
        #expect(out.alerts.first?.count == 4)
        #expect(out.suppressed.isEmpty)
    }

    @Test func repeatsInLaterFilesRaiseTheStoredCount() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        let first = e.process(Ev.items([Ev.event("e0", at: Ev.at(minutes: 0), by: Ev.role("p"))]))
        let id = try #require(first.alerts.first?.id)
        let second = e.process(Ev.items([Ev.event("e1", at: Ev.at(minutes: 5), by: Ev.role("p")),
                                         Ev.event("e2", at: Ev.at(minutes: 6), by: Ev.role("p")),
                                         Ev.event("q", at: Ev.at(minutes: 6), by: Ev.role("q"))]))
        #expect(second.alerts.map(\.eventID) == ["q"])
        #expect(second.suppressed.map(\.alertID) == [id])
        #expect(second.suppressed.map(\.count) == [2], "two repeats added to the stored alert")
        // After the suppression period a new alert stands on its own.
        let third = e.process(Ev.items([Ev.event("e3", at: Ev.at(minutes: 61), by: Ev.role("p"))]))
        #expect(third.alerts.map(\.eventID) == ["e3"])
    }
}

@Suite struct EngineTests {
    @Test func duplicateEventIDsInAFileAreSeenOnce() throws {
        let e = try DetectionEngine(rules: [Ev.rule("plain")], state: [])
        let x = Ev.event("same", at: Ev.at(minutes: 0))
        #expect(e.process(Ev.items([x, x, x])).alerts.count == 1)
    }

    @Test func duplicateRuleNamesAreRefused() {
        #expect(throws: RuleError.self) { try DetectionEngine(rules: [Ev.rule("a"), Ev.rule("a")], state: []) }
    }

    @Test func alertIDIsStableHexOfRuleAndEventID() {
        let id = AlertID.make(rule: "secret-read-burst", eventID: "c0c94d88-8aea-4509-9804-de1b125e65a9")
        #expect(id.count == 16)
        #expect(id.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(id == AlertID.make(rule: "secret-read-burst", eventID: "c0c94d88-8aea-4509-9804-de1b125e65a9"))
        #expect(id != AlertID.make(rule: "secret-read-burs", eventID: "tc0c94d88-8aea-4509-9804-de1b125e65a9"))
        #expect(AlertID.make(rule: "", eventID: "") == "af63bd4c8601b7df")   // FNV-1a 64 of a single NUL byte
    }

    @Test func unmatchedRuleIndexesAreIgnored() throws {
        let e = try DetectionEngine(rules: [Ev.rule("plain")], state: [])
        #expect(e.process(Ev.items([Ev.event("x", at: Ev.at(minutes: 0))], matched: [-1, 3])).alerts.isEmpty)
    }
}

/// State round trip and order: the shipped rules over a scenario of many files.
@Suite struct StateRoundTripTests {
    /// Files of records: history, a burst spread over files with late records, a new reader,
    /// deletions, policies, and repeats that suppression folds.
    static func scenario() throws -> [[JSONValue]] {
        var files: [[JSONValue]] = []
        for name in ShippedRulesTests.names {
            for kind in ["fire", "miss"] {
                let recs = try Harness.records(bytes: try Paths.bytes(Paths.fixtures.appendingPathComponent("rules/\(name).\(kind).json")))
                // Split each fixture into files of up to 3 records, keeping delivery order.
                var i = 0
                while i < recs.count {
                    files.append(Array(recs[i..<min(i + 3, recs.count)]))
                    i += 3
                }
            }
        }
        return files
    }

    func run(_ files: [[JSONValue]], restartAt: Int?) throws -> (alerts: [String], suppressed: [String]) {
        let rules = try RuleLoader.loadShipped()
        var h = try Harness(rules: rules)
        var alerts: [String] = []
        var suppressed: [String] = []
        for (i, f) in files.enumerated() {
            if i == restartAt {
                let catalog = h.catalog
                let snapshot = h.snapshot
                h = try Harness(rules: rules, state: snapshot)
                h.catalog = catalog
            }
            let out = h.file(f, path: "f\(i)")
            alerts += out.alerts.map { "\($0.id) \($0.severity) \($0.count) \($0.summary) \($0.evidence)" }
            suppressed += out.suppressed.map { "\($0.alertID)=\($0.count)" }
        }
        return (alerts, suppressed)
    }

    @Test func restoredEngineContinuesExactly() throws {
        let files = try Self.scenario()
        let whole = try run(files, restartAt: nil)
        #expect(whole.alerts.count >= ShippedRulesTests.names.count)
        for k in [1, files.count / 3, files.count / 2, files.count - 1] {
            let resumed = try run(files, restartAt: k)
            #expect(resumed.alerts == whole.alerts, "restart before file \(k)")
            #expect(resumed.suppressed == whole.suppressed, "restart before file \(k)")
        }
    }

    @Test func sameAlertsWhateverTheRecordOrderInsideFiles() throws {
        let files = try Self.scenario()
        let forward = try run(files, restartAt: nil)
        let reversed = try run(files.map { Array($0.reversed()) }, restartAt: nil)
        #expect(forward.alerts == reversed.alerts)
    }

    @Test func burstFoundWhateverTheFileOrder() throws {
        let recs = try Harness.records(bytes: try Paths.bytes(Paths.fixtures.appendingPathComponent("rules/secret-read-burst.fire.json")))
        let files = stride(from: 0, to: recs.count, by: 4).map { Array(recs[$0..<min($0 + 4, recs.count)]) }
        let orders = [Array(files.indices), Array(files.indices.reversed()), [2, 4, 0, 3, 1]]
        var found: [[String]] = []
        for order in orders {
            let h = try Harness(rules: try RuleLoader.loadShipped())
            var alerts: [Alert] = []
            for i in order { alerts += h.file(files[i]).alerts }
            found.append(alerts.map { "\($0.rule) \($0.principal.id) \($0.evidence.first { $0.name == "count" }?.value ?? .integer(0))" })
        }
        #expect(found.allSatisfy { $0 == ["secret-read-burst arn:aws:iam::111122223333:user/svc-legacy-reporting integer(20)"] }, "\(found)")
    }
}
