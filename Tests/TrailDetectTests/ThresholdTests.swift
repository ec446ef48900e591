import Testing
import TrailDetect
import TrailModel
import TrailTestSupport

@Suite struct ThresholdTests {
    let burst = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 5, window: .minutes(5))))
    let denied = Ev.rule("denied", detector: .threshold(ThresholdConfig(group: [.principal], distinct: nil, count: 4, window: .hours(1))))

    func reads(_ n: Int, every seconds: Double, from start: Double = 0, by p: Principal = Ev.role("thief"), prefix: String = "r") -> [AuditEvent] {
        (0..<n).map { i in
            Ev.event("\(prefix)\(i)", at: Ev.at(minutes: start + Double(i) * seconds / 60), by: p, secrets: [Ev.secret("s\(i)")])
        }
    }

    @Test func firesOnceWhenDistinctCountReached() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let out = e.process(Ev.items(reads(8, every: 30)))
        #expect(out.alerts.map(\.eventID) == ["r4"])
        let a = try #require(out.alerts.first)
        #expect(a.summary == "role/thief (s1) read 5 distinct secrets within 5 minutes: s0, s1, s2, s3, s4")
        #expect(a.evidence.contains(EvidenceItem("count", .integer(5))))
        #expect(a.evidence.contains(EvidenceItem("window", .string("PT5M"))))
        #expect(a.evidence.contains(EvidenceItem("secrets", .strings((0..<5).map { "arn:aws:secretsmanager:us-east-1:111122223333:secret:s\($0)" }))))
    }

    @Test func stateTakenOnceEqualsStateReportedPerCall() throws {
        let firstSeen = Ev.rule("fs", detector: .firstSeen(FirstSeenConfig(key: [.secret], value: .principal, learning: .days(7), forget: .days(90))))
        let rules = [burst, denied, firstSeen]
        let perCall = try DetectionEngine(rules: rules, state: [])
        let deferred = try DetectionEngine(rules: rules, state: [])
        deferred.reportsStateChangesPerCall = false
        func apply(_ changes: [DetectorStateEntry], to state: inout [String: String]) {
            for c in changes { state[c.namespace + "\u{0}" + c.key] = c.value }
        }
        // Groups that grow, fire, expire (days later) and come back.
        let files = [
            reads(3, every: 30), reads(4, every: 20, from: 2, prefix: "a"), reads(6, every: 30, from: 3 * 1440, prefix: "b"),
            reads(2, every: 10, from: 3 * 1440 + 1, by: Ev.role("other"), prefix: "c"), reads(7, every: 5, from: 9 * 1440, prefix: "d"),
        ]
        var expected: [String: String] = [:]
        var alerts: [[String]] = [[], []]
        for f in files {
            let a = perCall.process(Ev.items(f, matched: [0, 1, 2]))
            apply(a.stateChanges, to: &expected)
            let b = deferred.process(Ev.items(f, matched: [0, 1, 2]))
            #expect(b.stateChanges.isEmpty)
            alerts[0] += a.alerts.map(\.id)
            alerts[1] += b.alerts.map(\.id)
        }
        var got: [String: String] = [:]
        apply(deferred.takeStateChanges(), to: &got)
        #expect(got == expected)
        #expect(expected.keys.contains { $0.hasPrefix("threshold:burst") })
        #expect(alerts[0] == alerts[1] && !alerts[0].isEmpty)
        #expect(deferred.takeStateChanges().isEmpty)
    }

    @Test func spreadWiderThanWindowDoesNotFire() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        #expect(e.process(Ev.items(reads(8, every: 76))).alerts.isEmpty)   // 5 reads span 304 s
    }

    @Test func sameSecretAgainIsNotDistinct() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let same = (0..<10).map { Ev.event("x\($0)", at: Ev.at(minutes: Double($0) / 10), by: Ev.role("thief"), secrets: [Ev.secret("only")]) }
        #expect(e.process(Ev.items(same)).alerts.isEmpty)
    }

    @Test func outOfOrderAcrossFilesCountsByEventTime() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let all = reads(5, every: 30)
        // The latest read arrives first; the earliest arrives last, in a later file.
        #expect(e.process(Ev.items([all[4], all[2]])).alerts.isEmpty)
        #expect(e.process(Ev.items([all[3], all[1]])).alerts.isEmpty)
        let out = e.process(Ev.items([all[0]]))
        // Attributed by event time: r4 completes the earliest window, whatever arrived last.
        #expect(out.alerts.map(\.eventID) == ["r4"])
        #expect(out.alerts.first?.evidence.contains(EvidenceItem("count", .integer(5))) == true)
    }

    @Test func recordOrderInsideAFileDoesNotMatter() throws {
        let events = reads(12, every: 20)
        var outcomes: [[String]] = []
        for perm in [Array(0..<12), Array((0..<12).reversed()), [5, 0, 11, 3, 7, 1, 9, 2, 10, 4, 8, 6]] {
            let e = try DetectionEngine(rules: [burst], state: [])
            outcomes.append(e.process(Ev.items(perm.map { events[$0] })).alerts.map { $0.id + $0.summary })
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0] == outcomes[2])
        #expect(outcomes[0].count == 1)
    }

    @Test func duplicatesNeverCountTwice() throws {
        let e = try DetectionEngine(rules: [denied], state: [])
        let one = Ev.event("dup", at: Ev.at(minutes: 0), by: Ev.role("p"), secrets: [Ev.secret("a")], error: "AccessDenied")
        #expect(e.process(Ev.items([one, one, one, one])).alerts.isEmpty)
        #expect(e.process(Ev.items([one, one])).alerts.isEmpty, "the same eventID in a later file")
        let more = (1...3).map { Ev.event("d\($0)", at: Ev.at(minutes: Double($0)), by: Ev.role("p"), secrets: [Ev.secret("a")], error: "AccessDenied") }
        let out = e.process(Ev.items(more))
        #expect(out.alerts.map(\.eventID) == ["d3"])
        #expect(out.alerts.first?.summary == "role/p (s1) made 4 AccessDenied GetSecretValue calls within 1 hour")
    }

    @Test func batchSecretsCountEach() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let batch = Ev.event("b", "BatchGetSecretValue", at: Ev.at(minutes: 0), by: Ev.role("thief"), secrets: (0..<5).map { Ev.secret("s\($0)") })
        #expect(e.process(Ev.items([batch])).alerts.map(\.eventID) == ["b"])
    }

    @Test func groupsAreSeparate() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let a = reads(3, every: 10, by: Ev.role("a"), prefix: "a")
        let b = reads(3, every: 10, by: Ev.role("b"), prefix: "b")
        #expect(e.process(Ev.items(a + b)).alerts.isEmpty)
    }

    @Test func oneAlertPerBurstThenAgainAfterAWindow() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        // 30 distinct secrets over 15 minutes: fires at the 5th, then not again until a window later.
        let out = e.process(Ev.items(reads(30, every: 30)))
        #expect(out.alerts.map(\.eventID) == ["r4", "r14", "r24"])
    }

    @Test func windowStateIsBoundedAndExpires() throws {
        let e = try DetectionEngine(rules: [burst], state: [])
        let first = e.process(Ev.items(reads(2, every: 10)))
        #expect(first.stateChanges.contains { $0.namespace == "threshold:burst" && $0.value != nil })
        // Much later, another principal: the idle group is dropped (a delete entry).
        let later = e.process(Ev.items([Ev.event("z", at: Ev.at(days: 1), by: Ev.role("other"), secrets: [Ev.secret("q")])]))
        #expect(later.stateChanges.contains { $0.namespace == "threshold:burst" && $0.value == nil })
    }
}

@Suite struct ThresholdExactnessTests {
    /// A busy principal re-reading a few secrets, arriving out of order within the lateness
    /// allowance: the engine (which compacts repeated values and trims old entries) must fire
    /// exactly where a brute-force count over every event fires.
    @Test(arguments: [1, 2, 3, 4, 5])
    func compactedStateCountsLikeBruteForce(seed: UInt64) throws {
        let window: Int64 = 300_000, count = 6
        let rule = Ev.rule("b", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: count, window: EventTime.Duration(milliseconds: window))))
        var rng = SplitMix64(seed: seed)
        var events: [AuditEvent] = []
        var t: Int64 = 0
        for i in 0..<600 {
            t += Int64(rng.next() % 40_000)
            let secret = Int(rng.next() % (i % 100 < 50 ? 3 : 9))
            events.append(Ev.event("e\(i)", at: EventTime(milliseconds: Ev.t0.milliseconds + t), by: Ev.role("p"), secrets: [Ev.secret("s\(secret)")]))
        }
        // Arrival: shuffled within blocks of 10 minutes (less than the 30-minute lateness).
        var arrival = events
        var k = 0
        while k < arrival.count {
            let end = min(k + 15, arrival.count)
            for i in stride(from: end - 1, to: k, by: -1) { arrival.swapAt(i, k + Int(rng.next() % UInt64(i - k + 1))) }
            k = end
        }
        let engine = try DetectionEngine(rules: [rule], state: [])
        var fired: [String] = []
        var seen: [AuditEvent] = []
        var expected: [String] = []
        var lastFired: Int64?
        var largestState = 0
        func key(_ e: AuditEvent) -> (Int64, String) { (e.eventTime.milliseconds, e.eventID) }
        for e in arrival {
            let out = engine.process(Ev.items([e]))
            fired += out.alerts.map { $0.eventID }
            for s in out.stateChanges where s.namespace == "threshold:b" {
                largestState = max(largestState, s.value?.split(separator: "[").count ?? 0)
            }
            seen.append(e)
            // Model: among the windows containing the arriving event, the earliest (by eventTime,
            // eventID) event whose window (t - window, t], counting only events up to it in that
            // order, holds `count` distinct secrets; it fires unless a fire lies within a window.
            let te = e.eventTime.milliseconds
            let ordered = seen.sorted { key($0) < key($1) }
            for end in ordered where end.eventTime.milliseconds >= te && end.eventTime.milliseconds - window < te {
                let tEnd = end.eventTime.milliseconds
                let inWindow = ordered.filter { $0.eventTime.milliseconds > tEnd - window && key($0) <= key(end) }
                guard Set(inWindow.map { $0.secrets[0].name }).count >= count else { continue }
                if lastFired.map({ abs(tEnd - $0) >= window }) ?? true {
                    lastFired = tEnd
                    expected.append(end.eventID)
                }
                break
            }
        }
        #expect(fired == expected)
        #expect(!expected.isEmpty)
        // 600 reads over hours; kept entries stay near (distinct values x window/lateness ratio).
        #expect(largestState < 90, "entries kept: \(largestState)")
    }
}

/// Alert attribution by event time: the same events give byte-identical alerts whatever order
/// their files arrive in, when each burst reaches its threshold only once its window is complete.
@Suite struct ThresholdArrivalOrderTests {
    /// Bursts of exactly `count` distinct secrets (one of them read by a BatchGetSecretValue of
    /// two secrets), an hour apart, by two principals, among re-reads of a few secrets by others;
    /// one event per minute-file.
    static func files(seed: UInt64) -> [[AuditEvent]] {
        var rng = SplitMix64(seed: seed)
        var events: [AuditEvent] = []
        for burst in 0..<6 {
            let p = Ev.role(burst % 2 == 0 ? "thief" : "other")
            let start = Double(burst * 60)
            for i in 0..<4 {
                let minute = start + Double(rng.next() % 4) + Double(i) / 10
                events.append(Ev.event("b\(burst)-\(i)", at: Ev.at(minutes: minute), by: p, secrets: [Ev.secret("s\(burst)-\(i)")]))
            }
            events.append(Ev.event("b\(burst)-batch", "BatchGetSecretValue", at: Ev.at(minutes: start + 2.5), by: p,
                                   secrets: [Ev.secret("s\(burst)-4"), Ev.secret("s\(burst)-5")]))
        }
        for i in 0..<200 {
            events.append(Ev.event("n\(i)", at: Ev.at(minutes: Double(rng.next() % 360)), by: Ev.role("app\(i % 5)"), secrets: [Ev.secret("q\(i % 3)")]))
        }
        let byMinute = Dictionary(grouping: events) { Int($0.eventTime.milliseconds / 60_000) }
        return byMinute.keys.sorted().map { byMinute[$0]! }
    }

    func run(_ files: [[AuditEvent]]) throws -> [String] {
        let rule = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 6, window: .minutes(5))))
        let engine = try DetectionEngine(rules: [rule], state: [])
        var out: [String] = []
        for f in files {
            for a in engine.process(Ev.items(f)).alerts {
                out.append("\(a.id) \(a.eventID) \(a.time.iso8601) \(a.principal.id) \(a.summary) \(a.evidence) \(a.recordJSON)")
            }
        }
        return out.sorted()
    }

    @Test(arguments: [1, 2, 3])
    func sameAlertsWhateverTheFileOrder(seed: UInt64) throws {
        let files = Self.files(seed: seed)
        let inOrder = try run(files)
        #expect(inOrder.count == 6, "\(inOrder)")
        var rng = SplitMix64(seed: seed &+ 100)
        // Shuffled within blocks of 25 minutes of event time (inside the 30-minute lateness).
        let blocks = Dictionary(grouping: files) { $0[0].eventTime.milliseconds / 60_000 / 25 }
        for _ in 0..<5 {
            var shuffled: [[AuditEvent]] = []
            for b in blocks.keys.sorted() {
                var block = blocks[b]!
                for i in stride(from: block.count - 1, to: 0, by: -1) { block.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                shuffled += block
            }
            #expect(shuffled.map { $0[0].eventID } != files.map { $0[0].eventID })
            #expect(try run(shuffled) == inOrder)
        }
    }

    @Test func lateEventsAttributeTheAlertToTheEventThatCompletesTheWindow() throws {
        let rule = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 3, window: .minutes(5))))
        let reads = (0..<3).map { Ev.event("r\($0)", at: Ev.at(minutes: Double($0)), by: Ev.role("thief"), secrets: [Ev.secret("s\($0)")]) }
        let engine = try DetectionEngine(rules: [rule], state: [])
        // The last read arrives first; the alert still names it (it completes the window), not r0.
        #expect(engine.process(Ev.items([reads[2]])).alerts.isEmpty)
        #expect(engine.process(Ev.items([reads[1]])).alerts.isEmpty)
        let out = engine.process(Ev.items([reads[0]]))
        let a = try #require(out.alerts.first)
        #expect(out.alerts.count == 1)
        #expect(a.eventID == "r2")
        #expect(a.time == reads[2].eventTime)
        #expect(a.evidence.contains(EvidenceItem("lastEventTime", .string(reads[2].eventTime.iso8601))))
        #expect(a.evidence.contains(EvidenceItem("firstEventTime", .string(reads[0].eventTime.iso8601))))
    }
}


/// A group that holds fewer distinct values than the threshold is not scanned window by window
/// (its count of values says no window can fire); it must still fire the moment enough distinct
/// values arrive, however many repeats of one value came first, whether settling or not.
@Suite struct ThresholdDistinctBoundTests {
    @Test(arguments: [nil, EventTime.Duration.minutes(30)])
    func manyRepeatsOfOneSecretThenEnoughDistinctOnesFire(settle: EventTime.Duration?) throws {
        let burst = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 5, window: .minutes(5))))
        let e = try DetectionEngine(rules: [burst], state: [], settle: settle ?? .seconds(0))
        let p = Ev.role("app")
        // 2,000 reads of one secret within two minutes: one distinct value, nothing fires.
        let hot = (0..<2_000).map { i in Ev.event("h\(i)", at: Ev.at(minutes: Double(i) * 0.001), by: p, secrets: [Ev.secret("hot")]) }
        var alerts = e.process(Ev.items(hot)).alerts
        #expect(alerts.isEmpty)
        // Then four other secrets within the window: five distinct, so the fourth one fires.
        let others = (1...4).map { i in Ev.event("o\(i)", at: Ev.at(minutes: 2 + Double(i) * 0.1), by: p, secrets: [Ev.secret("s\(i)")]) }
        alerts += e.process(Ev.items(others)).alerts
        alerts += e.releaseHeld().alerts
        #expect(alerts.count == 1)
        #expect(alerts.first?.evidence.contains(EvidenceItem("count", .integer(5))) == true)
    }

    /// Thousands of events of one group inside one window, past the threshold: each event checks
    /// only the windows that end at it (once a walk through the whole window per event, 42 s for
    /// 20,000 denied reads). One alert per window, attributed to the event that reached the count.
    @Test(arguments: [nil, EventTime.Duration.minutes(30)])
    func aDenseBurstFiresOncePerWindow(settle: EventTime.Duration?) throws {
        let denied = Ev.rule("denied", detector: .threshold(ThresholdConfig(group: [.principal], distinct: nil, count: 20, window: .hours(1))))
        let burst = Ev.rule("burst", detector: .threshold(ThresholdConfig(group: [.principal], distinct: .secret, count: 20, window: .minutes(5))))
        let e = try DetectionEngine(rules: [denied, burst], state: [], settle: settle ?? .seconds(0))
        let p = Ev.role("prober")
        // 3,000 events 0.1 s apart (five minutes), each naming a secret of its own.
        let reads = (0..<3_000).map { i in Ev.event("d\(i)", at: Ev.at(minutes: Double(i) / 600), by: p, secrets: [Ev.secret("s\(i)")]) }
        var alerts = e.process(Ev.items(reads, matched: [0, 1])).alerts
        alerts += e.releaseHeld().alerts
        #expect(alerts.map(\.rule).sorted() == ["burst", "denied"])
        #expect(alerts.map(\.eventID).sorted() == ["d19", "d19"])
        #expect(alerts.allSatisfy { $0.evidence.contains(EvidenceItem("count", .integer(20))) })
    }
}
