import Testing
import TrailDetect
import TrailModel

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
        #expect(out.alerts.map(\.eventID) == ["r0"])
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
        var rng = SplitMix(seed: seed)
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
        for e in arrival {
            let out = engine.process(Ev.items([e]))
            fired += out.alerts.map { $0.eventID }
            for s in out.stateChanges where s.namespace == "threshold:b" {
                largestState = max(largestState, s.value?.split(separator: "[").count ?? 0)
            }
            seen.append(e)
            let te = e.eventTime.milliseconds
            var best = 0
            for end in seen.map(\.eventTime.milliseconds) where end >= te && end - window < te {
                best = max(best, Set(seen.filter { $0.eventTime.milliseconds > end - window && $0.eventTime.milliseconds <= end }.map { $0.secrets[0].name }).count)
            }
            if best >= count, lastFired.map({ abs(te - $0) >= window }) ?? true {
                lastFired = te
                expected.append(e.eventID)
            }
        }
        #expect(fired == expected)
        #expect(!expected.isEmpty)
        // 600 reads over hours; kept entries stay near (distinct values x window/lateness ratio).
        #expect(largestState < 90, "entries kept: \(largestState)")
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
