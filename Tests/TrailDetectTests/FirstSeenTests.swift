import Testing
import TrailDetect
import TrailModel

@Suite struct FirstSeenTests {
    let rule = Ev.rule("fs", detector: .firstSeen(FirstSeenConfig(key: [.secret], value: .principal, learning: .days(7), forget: .days(90))))
    let db = Ev.secret("prod/db/password")

    func engine() throws -> DetectionEngine { try DetectionEngine(rules: [rule], state: []) }

    @Test func learningPeriodBuildsBaselineSilently() throws {
        let e = try engine()
        let out = e.process(Ev.items([
            Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db]),
            Ev.event("b", at: Ev.at(days: 6.9), by: Ev.role("newcomer"), secrets: [db]),
        ]))
        #expect(out.alerts.isEmpty)
        let later = e.process(Ev.items([
            Ev.event("c", at: Ev.at(days: 10), by: Ev.role("app", session: "other"), secrets: [db]),
            Ev.event("d", at: Ev.at(days: 10), by: Ev.role("newcomer", session: "x"), secrets: [db]),
        ]))
        #expect(later.alerts.isEmpty, "known principals, whatever their session")
    }

    @Test func newPrincipalAfterLearningAlertsWithEvidence() throws {
        let e = try engine()
        _ = e.process(Ev.items([
            Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app-a"), secrets: [db]),
            Ev.event("b", at: Ev.at(days: 1), by: Ev.role("app-b"), secrets: [db]),
        ]))
        let out = e.process(Ev.items([Ev.event("c", at: Ev.at(days: 8), by: Ev.role("intruder", session: "mallory"), secrets: [db])]))
        #expect(out.alerts.count == 1)
        let a = try #require(out.alerts.first)
        #expect(a.summary == "role/intruder (mallory) read secret prod/db/password for the first time (secret known since 2024-06-01; 2 usual callers)")
        #expect(a.evidence.first == EvidenceItem("historySince", .string("2024-06-01T00:00:00Z")))
        #expect(a.evidence.contains(EvidenceItem("knownCallers", .integer(2))))
        #expect(a.secret == db)
        #expect(a.id == AlertID.make(rule: "fs", eventID: "c"))
        // Second read by the same principal: known now.
        #expect(e.process(Ev.items([Ev.event("d", at: Ev.at(days: 8.5), by: Ev.role("intruder"), secrets: [db])])).alerts.isEmpty)
    }

    @Test func historyStartsAtAnyEventNamingTheSecretEvenUnmatched() throws {
        let e = try engine()
        // A DescribeSecret that the rule's pattern did not select still starts the secret's history.
        _ = e.process(Ev.items([Ev.event("a", "DescribeSecret", at: Ev.at(days: 0), by: Ev.role("admin"), secrets: [db])], matched: []))
        let out = e.process(Ev.items([Ev.event("b", at: Ev.at(days: 8), by: Ev.role("app"), secrets: [db])]))
        #expect(out.alerts.count == 1)
        #expect(out.alerts.first?.summary.hasSuffix("(secret known since 2024-06-01; 0 usual callers)") == true)
    }

    @Test func principalUnseenLongerThanForgetIsNewAgain() throws {
        let e = try engine()
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db]),
                                Ev.event("k", at: Ev.at(days: 0), by: Ev.role("keeper"), secrets: [db])]))
        #expect(e.process(Ev.items([Ev.event("b", at: Ev.at(days: 89), by: Ev.role("app"), secrets: [db])])).alerts.isEmpty)
        // keeper last seen day 0: at day 91 it counts as new again.
        let out = e.process(Ev.items([Ev.event("c", at: Ev.at(days: 91), by: Ev.role("keeper"), secrets: [db])]))
        #expect(out.alerts.map(\.eventID) == ["c"])
    }

    @Test func lateEarlierReadIsNotNew() throws {
        let e = try engine()
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db])]))
        _ = e.process(Ev.items([Ev.event("b", at: Ev.at(days: 9), by: Ev.role("intruder"), secrets: [db])]))
        // A late record of the same pair, earlier in event time: not new (the pair is known).
        #expect(e.process(Ev.items([Ev.event("c", at: Ev.at(days: 8.99), by: Ev.role("intruder"), secrets: [db])])).alerts.isEmpty)
    }

    @Test func eachSecretOfABatchIsAPair() throws {
        let e = try engine()
        let other = Ev.secret("prod/other")
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db, other])]))
        let out = e.process(Ev.items([Ev.event("b", "BatchGetSecretValue", at: Ev.at(days: 8), by: Ev.role("x"), secrets: [db, other])]))
        #expect(out.alerts.count == 1)
        #expect(out.alerts.first?.evidence.contains(EvidenceItem("newKeys", .strings(["prod/db/password", "prod/other"]))) == true)
    }

    @Test func ambiguousPartialARNKeepsOneBaseline() throws {
        let e = try engine()
        // Before the secret's ARN is known, `…:secret:app/stripe-webhook-secret` reads like a full
        // ARN with suffix "secret" (name app/stripe-webhook); later the real ARN is known.
        let guessed = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/stripe-webhook-secret",
                                name: "app/stripe-webhook", account: "111122223333", region: "us-east-1", isFullARN: true)
        let real = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/stripe-webhook-secret-HuqIlK",
                             name: "app/stripe-webhook-secret", account: "111122223333", region: "us-east-1", isFullARN: true)
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [guessed])]))
        #expect(e.process(Ev.items([Ev.event("b", at: Ev.at(days: 9), by: Ev.role("app"), secrets: [real])])).alerts.isEmpty)
        let out = e.process(Ev.items([Ev.event("c", at: Ev.at(days: 9), by: Ev.role("other"), secrets: [real])]))
        #expect(out.alerts.first?.summary == "role/other (s1) read secret app/stripe-webhook-secret for the first time (secret known since 2024-06-01; 1 usual caller)")
    }

    @Test func aPairIsAsRecentAsItsNewestAlias() throws {
        let e = try engine()
        // `db` is a full ARN: its pairs are kept under its key and under its ARN. A partial ARN of
        // the same secret has only the key.
        let partial = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db/password", name: "prod/db/password",
                                account: "111122223333", region: "us-east-1", isFullARN: false)
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db])]))
        // Unseen for 95 days (more than `forget`): new again, and the key's pair is now day 95.
        #expect(e.process(Ev.items([Ev.event("b", at: Ev.at(days: 95), by: Ev.role("app"), secrets: [partial])])).alerts.map(\.eventID) == ["b"])
        // By full ARN on day 100: the ARN's own pair is from day 0, the key's from day 95; the
        // newer one counts, so this is a known caller.
        #expect(e.process(Ev.items([Ev.event("c", at: Ev.at(days: 100), by: Ev.role("app"), secrets: [db])])).alerts.isEmpty)
    }

    /// With a full ARN (two aliases) and a partial one (only the key).
    @Test(arguments: [true, false]) func aKnownPairMovesItsTimeOnceAnHour(fullARN: Bool) throws {
        let e = try engine()
        let secret = fullARN ? db : SecretRef(id: "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db/password",
                                               name: "prod/db/password", account: "111122223333", region: "us-east-1", isFullARN: false)
        _ = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [secret])]))
        func pairChanged(_ id: String, minutes: Double) -> Bool {
            e.process(Ev.items([Ev.event(id, at: Ev.at(minutes: minutes), by: Ev.role("app"), secrets: [secret])]))
                .stateChanges.contains { $0.namespace == "first-seen:fs" }
        }
        #expect(pairChanged("b", minutes: 1440))
        #expect(!pairChanged("c", minutes: 1440 + 10), "ten minutes later: the pair's time stays")
        #expect(!pairChanged("d", minutes: 1440 + 59))
        #expect(pairChanged("e", minutes: 1440 + 61), "an hour later it moves")
    }

    @Test func stateChangesOnlyForWhatChanged() throws {
        let e = try engine()
        let first = e.process(Ev.items([Ev.event("a", at: Ev.at(days: 0), by: Ev.role("app"), secrets: [db])]))
        #expect(first.stateChanges.contains { $0.namespace == "first-seen-history:fs" })
        #expect(first.stateChanges.contains { $0.namespace == "first-seen:fs" })
        // Same pair, older time, no new key: nothing but the watermark (unchanged too) moves.
        let again = e.process(Ev.items([Ev.event("b", at: Ev.at(days: -0.001), by: Ev.role("app"), secrets: [db])]))
        #expect(Set(again.stateChanges.map(\.namespace)) == ["first-seen-history:fs"], "only the history start moved earlier")
    }
}
