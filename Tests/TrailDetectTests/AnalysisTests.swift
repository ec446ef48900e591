import Testing
import TrailDetect
import TrailModel

@Suite struct SecretDeletionTests {
    let rule = Ev.rule("del", severity: .high, detector: .secretDeletion(SecretDeletionConfig()))
    let db = Ev.secret("prod/db/password")

    func alert(_ details: EventDetails, error: String? = nil) throws -> Alert {
        let e = try DetectionEngine(rules: [rule], state: [])
        let out = e.process(Ev.items([Ev.event("d", "DeleteSecret", at: Ev.at(days: 0), by: Ev.role("admin", session: "alice"), secrets: [db], error: error, details: details)]))
        return try #require(out.alerts.first)
    }

    @Test func defaultWindowIsThirtyDaysAndHigh() throws {
        let a = try alert(EventDetails())
        #expect(a.severity == .high)
        #expect(a.summary == "role/admin (alice) scheduled secret prod/db/password for deletion on 2024-07-01 (recovery window 30 days) (account 111122223333, us-east-1)")
        #expect(a.evidence == [
            EvidenceItem("deletionDate", .string("2024-07-01T00:00:00Z")),
            EvidenceItem("recoveryWindowInDays", .integer(30)),
            EvidenceItem("forceDeleteWithoutRecovery", .bool(false)),
        ])
    }

    @Test func shortWindowIsCritical() throws {
        let a = try alert(EventDetails(recoveryWindowInDays: 7))
        #expect(a.severity == .critical)
        #expect(a.evidence.first == EvidenceItem("deletionDate", .string("2024-06-08T00:00:00Z")))
        #expect(try alert(EventDetails(recoveryWindowInDays: 30)).severity == .high)
    }

    /// AWS rejects windows outside 7 to 30 days; a record claiming one (forged or malformed) must
    /// neither postpone the deletion date nor move it into the past (nor overflow).
    @Test(arguments: [2_147_483_647, -5, 0, 6, 31, Int.max, Int.min])
    func impossibleWindowIsTakenAsTheSoonestAWSAllows(recorded: Int) throws {
        let a = try alert(EventDetails(recoveryWindowInDays: recorded))
        #expect(a.evidence.first == EvidenceItem("deletionDate", .string("2024-06-08T00:00:00Z")))
        #expect(a.evidence.contains(EvidenceItem("recordedRecoveryWindowInDays", .integer(Int64(recorded)))))
        #expect(a.summary.contains("recovery window recorded as \(recorded) days, which AWS does not accept; taken as 7"))
        #expect(a.severity == .critical)
    }

    @Test func forcedDeletionIsCritical() throws {
        let a = try alert(EventDetails(forceDeleteWithoutRecovery: true))
        #expect(a.severity == .critical)
        #expect(a.summary.contains("deleted secret prod/db/password immediately, without recovery"))
    }

    @Test func deniedAttemptIsMedium() throws {
        let a = try alert(EventDetails(recoveryWindowInDays: 30), error: "AccessDenied")
        #expect(a.severity == .medium)
        #expect(a.summary == "role/admin (alice) tried to delete secret prod/db/password (AccessDenied) (account 111122223333, us-east-1)")
    }
}

@Suite struct ResourcePolicyTests {
    let rule = Ev.rule("pol", severity: .medium, detector: .resourcePolicy(ResourcePolicyConfig()))
    let db = Ev.secret("prod/db/password")

    func alert(_ policy: String?, block: Bool? = nil, name: String = "PutResourcePolicy") throws -> Alert {
        let e = try DetectionEngine(rules: [rule], state: [])
        let out = e.process(Ev.items([Ev.event("p", name, at: Ev.at(days: 0), by: Ev.role("admin"), secrets: [db], details: EventDetails(policy: policy, blockPublicPolicy: block))]))
        return try #require(out.alerts.first)
    }

    func policy(_ principal: String, condition: String = "") -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"# + principal + #","Action":"secretsmanager:GetSecretValue","Resource":"*""# + condition + "}]}"
    }

    @Test func wildcardPrincipalEscalates() throws {
        let a = try alert(policy(#""*""#))
        #expect(a.severity == .high)
        #expect(a.evidence.contains(EvidenceItem("principalsAdded", .strings(["*"]))))
        #expect(a.evidence.contains(EvidenceItem("public", .bool(true))))
        #expect(a.summary.contains("allowing * (anyone, no organisation condition)"))
    }

    @Test func otherAccountEscalatesUnlessOrganisationCondition() throws {
        let other = #"{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::111122223333:role/app"]}"#
        let a = try alert(policy(other))
        #expect(a.severity == .high)
        #expect(a.evidence.contains(EvidenceItem("principalsAdded", .strings(["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:role/app"]))))
        #expect(a.evidence.contains(EvidenceItem("otherAccounts", .strings(["444455556666"]))))
        let org = try alert(policy(other, condition: #","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#))
        #expect(org.severity == .medium)
        let wildcardOrg = try alert(policy(#"{"AWS":"*"}"#, condition: #","Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a/r-b/*"]}}"#))
        #expect(wildcardOrg.severity == .medium)
    }

    @Test func sameAccountIsBaseSeverity() throws {
        let a = try alert(policy(#"{"AWS":"arn:aws:iam::111122223333:role/app"}"#), block: true)
        #expect(a.severity == .medium)
        #expect(a.summary.hasPrefix("role/admin (s1) put a resource policy on secret prod/db/password allowing arn:aws:iam::111122223333:role/app"))
    }

    @Test func blockPublicPolicyFalseEscalates() throws {
        #expect(try alert(policy(#"{"AWS":"arn:aws:iam::111122223333:role/app"}"#), block: false).severity == .high)
    }

    @Test func deleteNamesTheRemoval() throws {
        let a = try alert(nil, name: "DeleteResourcePolicy")
        #expect(a.severity == .medium)
        #expect(a.summary == "role/admin (s1) removed the resource policy of secret prod/db/password (account 111122223333, us-east-1)")
    }

    @Test func unreadablePolicyIsStillAlerted() throws {
        let a = try alert("{not json")
        #expect(a.evidence.contains(EvidenceItem("policyUnreadable", .bool(true))))
    }
}

@Suite struct KMSKeyTests {
    let rule = Ev.rule("kms", severity: .medium, detector: .kmsKey(KMSKeyConfig()))
    let keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-0000-0000-0000-000000000001"
    let keyID = "1234abcd-0000-0000-0000-000000000001"

    func schedule(_ e: DetectionEngine, by p: Principal = Ev.role("admin"), days: Int? = 7) -> [Alert] {
        e.process(Ev.items([Ev.event("k", "ScheduleKeyDeletion", at: Ev.at(days: 1), by: p, source: "kms.amazonaws.com",
                                     details: EventDetails(kmsKeys: [keyARN], pendingWindowInDays: days))])).alerts
    }

    /// AWS accepts 7 to 30 days; a forged window (here 10^15 days) is taken as 7, like a secret's
    /// recovery window, and the alert says what was recorded.
    @Test func impossiblePendingWindowIsTakenAsTheShortest() throws {
        let a = try #require(schedule(try DetectionEngine(rules: [rule], state: []), days: 1_000_000_000_000_000).first)
        #expect(a.summary.contains("for deletion on 2024-06-09 (pending window recorded as 1000000000000000 days, which AWS does not accept; taken as 7)"))
        #expect(a.evidence.contains(EvidenceItem("pendingWindowInDays", .integer(7))))
        #expect(a.evidence.contains(EvidenceItem("recordedPendingWindowInDays", .integer(1_000_000_000_000_000))))
        let unnamed = try #require(schedule(try DetectionEngine(rules: [rule], state: []), days: nil).first)
        #expect(unnamed.summary.contains("(30 days pending)"))
    }

    @Test func unknownKeyStaysAtBaseSeverity() throws {
        let a = try #require(schedule(try DetectionEngine(rules: [rule], state: [])).first)
        #expect(a.severity == .medium)
        #expect(a.summary == "role/admin (s1) scheduled KMS key \(keyID) for deletion on 2024-06-09 (7 days pending), not known to encrypt any secret (account 111122223333, us-east-1)")
    }

    @Test func keyLearnedFromEncryptionContextEscalates() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        // Decrypt with encryptionContext.SecretARN: the normaliser gives the secret and the key.
        _ = e.process(Ev.items([Ev.event("d", "Decrypt", at: Ev.at(days: 0), secrets: [Ev.secret("prod/db")], source: "kms.amazonaws.com",
                                         details: EventDetails(kmsKeys: [keyARN]))], matched: []))
        let a = try #require(schedule(e).first)
        #expect(a.severity == .high)
        #expect(a.secret == Ev.secret("prod/db"))
        #expect(a.evidence.contains(EvidenceItem("encryptsSecrets", .strings([Ev.secret("prod/db").id]))))
        #expect(a.summary.contains("which encrypts secret prod/db"))
    }

    @Test func keyLearnedFromCreateSecretEscalates() throws {
        let e = try DetectionEngine(rules: [rule], state: [])
        _ = e.process(Ev.items([Ev.event("c", "CreateSecret", at: Ev.at(days: 0), secrets: [Ev.secret("prod/api")],
                                         details: EventDetails(kmsKeys: [keyID]))], matched: []))
        #expect(schedule(e).first?.severity == .high)
    }

    @Test func awsServiceIsIgnored() throws {
        #expect(schedule(try DetectionEngine(rules: [rule], state: []), by: Principal(type: "AWSService", id: "kms.amazonaws.com")).isEmpty)
    }
}

@Suite struct BatchCatchAllTests {
    let rule = Ev.rule("batch", severity: .high, detector: .batchCatchAll)

    func alerts(_ filters: [BatchFilter]?) throws -> [Alert] {
        let e = try DetectionEngine(rules: [rule], state: [])
        return e.process(Ev.items([Ev.event("b", "BatchGetSecretValue", at: Ev.at(days: 0), details: EventDetails(batchFilters: filters))])).alerts
    }

    @Test func negatedTagKeysOnlySelectEverything() throws {
        let a = try #require(try alerts([BatchFilter(key: "tag-key", values: ["!tagKeyThatWillNeverExist"])]).first)
        #expect(a.evidence == [EvidenceItem("filters", .strings(["tag-key=!tagKeyThatWillNeverExist"]))])
        #expect(try alerts([BatchFilter(key: "tag-key", values: ["!a", "!b"]), BatchFilter(key: "tag-key", values: ["!c"])]).count == 1)
    }

    @Test func anyPositiveOrOtherFilterDoesNot() throws {
        #expect(try alerts([BatchFilter(key: "tag-key", values: ["!a", "env"])]).isEmpty)
        #expect(try alerts([BatchFilter(key: "name", values: ["!x"])]).isEmpty)
        #expect(try alerts([BatchFilter(key: "tag-key", values: [])]).isEmpty)
        #expect(try alerts([]).isEmpty)
        #expect(try alerts(nil).isEmpty, "secretIdList calls name their secrets")
    }
}
