import Testing
import TrailDetect
import TrailJSON
import TrailModel
import TrailTestSupport

/// Settling threshold alerts: held until the watermark passes the window's end plus the settle
/// time, so the alert (id, event, time, summary, evidence, record) does not depend on the order
/// in which files arrive.
@Suite struct ThresholdSettleTests {
    static let settle = EventTime.Duration.minutes(30)

    /// Items whose records name their event, so an alert's record shows which event it carries.
    static func items(_ events: [AuditEvent]) -> [(event: AuditEvent, record: JSONValue, matched: [Int])] {
        events.map { e in
            let doc = try! JSONDocument(bytes: Array(#"{"eventID":"\#(e.eventID)"}"#.utf8))
            return (e, doc.root, [0])
        }
    }

    static func text(_ a: Alert) -> String {
        "\(a.id) \(a.eventID) \(a.time.iso8601) \(a.principal.id) \(a.summary) \(a.evidence) \(a.count) \(a.recordJSON)"
    }

    /// Runs `files` through an engine, one call per file, then releases what is still held.
    static func run(_ files: [[AuditEvent]], rule: RuleDefinition, settle: EventTime.Duration = settle) throws -> [String] {
        let engine = try DetectionEngine(rules: [rule], state: [], settle: settle)
        var out: [String] = []
        for f in files { out += engine.process(items(f)).alerts.map(text) }
        out += engine.releaseHeld().alerts.map(text)
        return out
    }

    static let burstRule = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 5, window: .minutes(5))))

    /// Reads of distinct secrets, one every `seconds`, by `p`.
    static func reads(_ n: Int, every seconds: Double, from start: Double = 0, by p: Principal = Ev.role("thief"), prefix: String = "r") -> [AuditEvent] {
        (0..<n).map { i in
            Ev.event("\(prefix)\(i)", at: Ev.at(minutes: start + Double(i) * seconds / 60), by: p, secrets: [Ev.secret("\(prefix)s\(i)")])
        }
    }

    @Test func aBurstLargerThanTheThresholdWithItsMiddleFileLastIsAttributedAsInOrder() throws {
        // 9 reads in 4 minutes (threshold 5), one file per read; then quiet reads an hour later.
        let burst = Self.reads(9, every: 30)
        let later = Self.reads(1, every: 1, from: 90, by: Ev.role("other"), prefix: "z")
        let inOrder = try Self.run(burst.map { [$0] } + [later], rule: Self.burstRule)
        #expect(inOrder.count == 1)
        #expect(inOrder.first?.hasPrefix(AlertID.make(rule: "burst", eventID: "r4") + " r4 ") == true, "\(inOrder)")
        // The middle reads (r2...r5) arrive last: at once, r8 would reach 5 first (r0, r1, r6, r7, r8).
        let middleLast = [0, 1, 6, 7, 8, 2, 3, 4, 5].map { [burst[$0]] } + [later]
        #expect(try Self.run(middleLast, rule: Self.burstRule) == inOrder)
        // Firing at once (PT0S) names the event at hand: the old, arrival-dependent attribution.
        let atOnce = try Self.run(middleLast, rule: Self.burstRule, settle: .seconds(0))
        #expect(atOnce.count == 1 && atOnce != inOrder, "\(atOnce)")
    }

    @Test func heldUntilTheWatermarkPassesTheWindowEndPlusTheSettleTime() throws {
        let engine = try DetectionEngine(rules: [Self.burstRule], state: [], settle: Self.settle)
        let burst = Self.reads(5, every: 30)   // window ends at r4, 2 minutes in
        #expect(engine.process(Self.items(burst)).alerts.isEmpty, "held, not fired")
        // Same partition, 32 minutes in: exactly end + settle is not past it yet.
        let quiet = { (id: String, minutes: Double) in Ev.event(id, at: Ev.at(minutes: minutes), by: Ev.role("app"), secrets: [Ev.secret("q")]) }
        #expect(engine.process(Self.items([quiet("q1", 32)])).alerts.isEmpty)
        let out = engine.process(Self.items([quiet("q2", 32.01)]))
        #expect(out.alerts.map(\.eventID) == ["r4"])
        #expect(out.alerts.first?.recordJSON == #"{"eventID":"r4"}"#)
        #expect(engine.releaseHeld().alerts.isEmpty, "released once")
    }

    @Test func aHeldAlertSurvivesARestartThroughStateAndIsReleasedLater() throws {
        var state: [String: DetectorStateEntry] = [:]
        func keep(_ changes: [DetectorStateEntry]) { for c in changes { state[c.namespace + "\u{0}" + c.key] = c } }
        let burst = Self.reads(7, every: 30)
        let quiet = Ev.event("q", at: Ev.at(minutes: 40), by: Ev.role("app"), secrets: [Ev.secret("q")])
        let uninterrupted = try DetectionEngine(rules: [Self.burstRule], state: [], settle: Self.settle)
        var expected = uninterrupted.process(Self.items(burst)).alerts.map(Self.text)
        expected += uninterrupted.process(Self.items([quiet])).alerts.map(Self.text)
        #expect(expected.count == 1)

        let first = try DetectionEngine(rules: [Self.burstRule], state: [], settle: Self.settle)
        let held = first.process(Self.items(burst))
        #expect(held.alerts.isEmpty)
        keep(held.stateChanges)
        #expect(state.values.contains { $0.namespace == "threshold:burst" && ($0.value ?? "").contains(#""h":"#) }, "the held alert is in the state")
        // kill -9: a new engine from the stored state only.
        let second = try DetectionEngine(rules: [Self.burstRule], state: Array(state.values), settle: Self.settle)
        let released = second.process(Self.items([quiet]))
        #expect(released.alerts.map(Self.text) == expected)
        keep(released.stateChanges)
        #expect(!state.values.contains { ($0.value ?? "").contains(#""h":"#) }, "released: no longer held")
        // And a third engine from that state does not release it again.
        let third = try DetectionEngine(rules: [Self.burstRule], state: Array(state.values), settle: Self.settle)
        #expect(third.releaseHeld().alerts.isEmpty)
    }

    @Test func aHeldAlertRecomputedAfterARestartKeepsItsStoredText() throws {
        var state: [String: DetectorStateEntry] = [:]
        func keep(_ changes: [DetectorStateEntry]) { for c in changes { state[c.namespace + "\u{0}" + c.key] = c } }
        let burst = Self.reads(5, every: 30)
        // A late re-read of r1's secret, inside the window: it recomputes the held alert but
        // changes neither its event nor its evidence.
        let again = Ev.event("again", at: Ev.at(minutes: 1.2), by: Ev.role("thief"), secrets: [Ev.secret("rs1")])
        let quiet = Ev.event("q", at: Ev.at(minutes: 40), by: Ev.role("app"), secrets: [Ev.secret("q")])
        let expected = try Self.run([burst, [again], [quiet]], rule: Self.burstRule)
        #expect(expected.count == 1)

        let first = try DetectionEngine(rules: [Self.burstRule], state: [], settle: Self.settle)
        keep(first.process(Self.items(burst)).stateChanges)
        let second = try DetectionEngine(rules: [Self.burstRule], state: Array(state.values), settle: Self.settle)
        var got = second.process(Self.items([again])).alerts.map(Self.text)
        got += second.process(Self.items([quiet])).alerts.map(Self.text)
        #expect(got == expected)
    }

    @Test func releaseHeldFlushesAtTheEndOfInput() throws {
        let engine = try DetectionEngine(rules: [Self.burstRule], state: [], settle: Self.settle)
        #expect(engine.process(Self.items(Self.reads(6, every: 10))).alerts.isEmpty)
        let out = engine.releaseHeld()
        #expect(out.alerts.map(\.eventID) == ["r4"])
        #expect(out.stateChanges.contains { $0.namespace == "threshold:burst" })
        #expect(engine.releaseHeld().alerts.isEmpty)
    }

    @Test func settleZeroFiresAtOnce() throws {
        let engine = try DetectionEngine(rules: [Self.burstRule], state: [], settle: .seconds(0))
        #expect(engine.process(Self.items(Self.reads(5, every: 10))).alerts.map(\.eventID) == ["r4"])
        #expect(engine.releaseHeld().alerts.isEmpty)
    }

    @Test func releasedAlertsFoldThroughSuppress() throws {
        let rule = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 5, window: .minutes(5))),
                           suppress: SuppressConfig(by: [.principal], for: .hours(1)))
        // Two bursts 10 minutes apart: one alert, count 2.
        let files = [Self.reads(5, every: 10), Self.reads(5, every: 10, from: 10, prefix: "b")]
        let out = try Self.run(files, rule: rule)
        #expect(out.count == 1)
        #expect(out.first?.contains(" 2 {") == true, "\(out)")
    }
}

/// The brute-force model of `ThresholdExactnessTests`, with settling: whatever the arrival order
/// (within the lateness), every alert is byte-identical to the in-order run, and the alerts fire
/// exactly where the model fires over events taken in event-time order.
@Suite struct ThresholdSettleExactnessTests {
    @Test(arguments: [1, 2, 3, 4, 5])
    func shuffledArrivalGivesIdenticalAlerts(seed: UInt64) throws {
        let window: Int64 = 300_000, count = 6
        let rule = Ev.rule("b", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: count, window: EventTime.Duration(milliseconds: window))))
        var rng = SplitMix64(seed: seed)
        var events: [AuditEvent] = []
        var t: Int64 = 0
        for i in 0..<600 {
            t += Int64(rng.next() % 40_000)
            let secret = Int(rng.next() % (i % 100 < 50 ? 3 : 9))
            // Bursts of distinct secrets larger than the threshold, too.
            let name = i % 100 >= 80 ? "x\(i)" : "s\(secret)"
            events.append(Ev.event("e\(i)", at: EventTime(milliseconds: Ev.t0.milliseconds + t), by: Ev.role("p"), secrets: [Ev.secret(name)]))
        }
        // Model: in (eventTime, eventID) order, an event fires when its window holds `count`
        // distinct secrets and the previous fire is at least a window before.
        func key(_ e: AuditEvent) -> (Int64, String) { (e.eventTime.milliseconds, e.eventID) }
        let ordered = events.sorted { key($0) < key($1) }
        var expected: [String] = []
        var lastFired: Int64?
        for (i, end) in ordered.enumerated() {
            let tEnd = end.eventTime.milliseconds
            let inWindow = ordered[...i].filter { $0.eventTime.milliseconds > tEnd - window }
            guard Set(inWindow.map { $0.secrets[0].name }).count >= count, lastFired.map({ tEnd - $0 >= window }) ?? true else { continue }
            lastFired = tEnd
            expected.append(end.eventID)
        }
        let inOrder = try ThresholdSettleTests.run(ordered.map { [$0] }, rule: rule)
        let firing = inOrder.map { String($0.split(separator: " ")[1]) }
        #expect(firing == expected)
        #expect(expected.count > 3)
        for round in 0..<3 {
            // Arrival: shuffled within blocks of 15 events (under 10 minutes, inside the 30-minute lateness).
            var arrival = ordered
            var k = 0
            let block = 10 + round * 5
            while k < arrival.count {
                let end = min(k + block, arrival.count)
                for i in stride(from: end - 1, to: k, by: -1) { arrival.swapAt(i, k + Int(rng.next() % UInt64(i - k + 1))) }
                k = end
            }
            let files = stride(from: 0, to: arrival.count, by: 2).map { Array(arrival[$0..<min($0 + 2, arrival.count)]) }
            let shuffled = try ThresholdSettleTests.run(files, rule: rule)
            let diff = zip(shuffled, inOrder).first { $0.0 != $0.1 }.map { "\n  shuffled: \($0.0)\n  in order: \($0.1)" } ?? ""
            #expect(shuffled == inOrder, "round \(round): \(shuffled.count) vs \(inOrder.count) alerts\(diff)")
        }
    }
}
