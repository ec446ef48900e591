import Testing
@testable import TrailDetect
import TrailModel
import TrailTestSupport

/// The first-seen rule's count of usual callers, kept by ``RecentCallers`` rather than counted
/// by a walk through every caller for every new one.
@Suite struct FirstSeenCallersTests {
    let rule = Ev.rule("fs", detector: .firstSeen(FirstSeenConfig(key: [.secret], value: .principal, learning: .days(7), forget: .days(90))))
    let db = Ev.secret("prod/db/password")

    func knownCallers(_ alert: Alert) -> Int64? {
        for item in alert.evidence where item.name == "knownCallers" {
            if case let .integer(n) = item.value { return n }
        }
        return nil
    }

    @Test func recentCallersAgreeWithACountFromScratch() {
        var random = SplitMix64(seed: 42)
        for round in 0..<200 {
            // Two aliases' pairs, then callers seen again or anew under one or the other.
            var pairs: [String: [String: Int64]] = [:]
            for alias in ["k", "id"] {
                for _ in 0..<Int.random(in: 0...20, using: &random) {
                    pairs[alias, default: [:]]["c\(Int.random(in: 0..<30, using: &random))"] = Int64.random(in: 0...1_000, using: &random)
                }
            }
            var callers = RecentCallers(aliases: ["k", "id"], pairs: pairs)
            for _ in 0..<40 {
                let alias = Bool.random(using: &random) ? "k" : "id"
                let caller = "c\(Int.random(in: 0..<40, using: &random))"
                let t = Int64.random(in: 0...1_500, using: &random)
                // A pair's time only moves forward, as the detector keeps it.
                if pairs[alias]?[caller].map({ t > $0 }) ?? true {
                    pairs[alias, default: [:]][caller] = t
                    callers.saw(caller, at: t)
                }
                let cutoff = Int64.random(in: -100...1_600, using: &random)
                let asked = "c\(Int.random(in: 0..<40, using: &random))"
                var recent = Set<String>()
                for (_, known) in pairs {
                    for (other, seen) in known where other != asked && seen >= cutoff { recent.insert(other) }
                }
                #expect(callers.count(since: cutoff, besides: asked) == recent.count, "round \(round)")
            }
        }
    }

    @Test func manyNewCallersInReverseTimeOrderEachCountTheOnesBefore() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        _ = e.process(Ev.items([
            Ev.event("old", at: Ev.at(days: -100), by: Ev.role("retired"), secrets: [db]),
            Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db]),
        ]))
        // 300 new callers on day 8, the latest first: each knows "app" and those already read
        // ("retired" was last seen more than 90 days before any of them).
        let newcomers = (0..<300).map { i in
            Ev.event("n\(i)", at: Ev.at(days: 8 + Double(300 - i) / 1440), by: Ev.role("new-\(i)"), secrets: [db])
        }
        let out = e.process(Ev.items(newcomers))
        #expect(out.alerts.count == 300)
        #expect(out.alerts.map(knownCallers) == (0..<300).map { Int64(1 + $0) })

        // 200 days later everyone is forgotten (and dropped from the state): counts start again.
        let later = e.process(Ev.items([
            Ev.event("z", at: Ev.at(days: 200), by: Ev.role("z"), secrets: [db]),
            Ev.event("y", at: Ev.at(days: 200.001), by: Ev.role("y"), secrets: [db]),
        ]))
        #expect(later.alerts.map(knownCallers) == [0, 1])
    }

    @Test func callersUnderEitherReadingOfAnAmbiguousARNCountOnce() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        let guessed = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/stripe-webhook-secret",
                                name: "app/stripe-webhook", account: "111122223333", region: "us-east-1", isFullARN: true)
        let real = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/stripe-webhook-secret-HuqIlK",
                             name: "app/stripe-webhook-secret", account: "111122223333", region: "us-east-1", isFullARN: true)
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [guessed])]))
        // New callers alternate between the two forms; "app" also reads through the real ARN.
        var events = [Ev.event("b", at: Ev.at(days: 9), by: Ev.role("app"), secrets: [real])]
        events += (0..<20).map { i in
            Ev.event("n\(i)", at: Ev.at(days: 9 + Double(i + 1) / 1440), by: Ev.role("new-\(i)"), secrets: [i % 2 == 0 ? real : guessed])
        }
        let out = e.process(Ev.items(events))
        #expect(out.alerts.map(knownCallers) == (0..<20).map { Int64(1 + $0) })
    }
}
