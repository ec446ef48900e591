import Foundation
import GRDB
import TrailModel
@testable import TrailStore
import TrailPostgres
import TrailTestSupport
import TrailPresentation

/// A small, hand-made history: two accounts, a secret known by partial then full ARN, a name
/// shared by two accounts, a role name shared by two accounts, deletions and a restore.
enum Fixture {
    static let a1 = "111111111111"
    static let a2 = "222222222222"
    static let now = time("2024-05-10T00:00:00Z")

    static let s1Full = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password-AbCdEf",
                                  name: "prod/db/password", account: a1, region: "us-east-1", isFullARN: true)
    static let s1Partial = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db/password",
                                     name: "prod/db/password", account: a1, region: "us-east-1", isFullARN: false)
    static let s2 = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:shared/api-key-Zz9Yx8",
                              name: "shared/api-key", account: a1, region: "us-east-1", isFullARN: true)
    static let s3 = SecretRef(id: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:shared/api-key-Qq1Ww2",
                              name: "shared/api-key", account: a2, region: "eu-west-1", isFullARN: true)

    static let payments1 = Principal(type: "AssumedRole", id: "arn:aws:iam::111111111111:role/service/app-payments", session: "i-0abc", accountId: a1)
    static let payments2 = Principal(type: "AssumedRole", id: "arn:aws:iam::222222222222:role/app-payments", session: "batch", accountId: a2)
    static let alice = Principal(type: "IAMUser", id: "arn:aws:iam::111111111111:user/alice", accountId: a1)
    static let root2 = Principal(type: "Root", id: "arn:aws:iam::222222222222:root", accountId: a2)

    static func time(_ iso: String) -> EventTime {
        TimeArgument.parse(iso, now: EventTime(milliseconds: 0)) ?? EventTime(milliseconds: 0)
    }

    static func event(
        _ id: String, _ iso: String, _ name: String, _ p: Principal, _ secrets: [SecretRef], account: String = a1,
        region: String = "us-east-1", error: String? = nil, ip: String = "10.0.0.5", agent: String = "aws-sdk-go/1.44",
        details: EventDetails = EventDetails()
    ) -> AuditEvent {
        AuditEvent(
            eventID: id, eventTime: time(iso), eventSource: "secretsmanager.amazonaws.com", eventName: name,
            eventType: "AwsApiCall", region: region, account: account, sourceIPAddress: ip, userAgent: agent,
            errorCode: error, errorMessage: error.map { "denied: \($0)" }, readOnly: name.hasPrefix("Get"),
            principal: p, secrets: secrets, details: details, location: RecordLocation(path: "f", recordIndex: 0, byteOffset: 0))
    }

    static let key1 = "arn:aws:kms:us-east-1:111111111111:key/k-1"

    static let file1Events: [AuditEvent] = [
        event("e01", "2024-05-01T10:00:00Z", "CreateSecret", alice, [s1Full], ip: "198.51.100.7", agent: "aws-cli/2.15",
              details: EventDetails(kmsKeys: [key1])),
        event("e02", "2024-05-01T11:00:00Z", "GetSecretValue", payments1, [s1Partial]),
        event("e03", "2024-05-02T09:30:00Z", "GetSecretValue", payments1, [s1Full]),
        event("e04", "2024-05-02T09:31:00Z", "GetSecretValue", alice, [s1Full], error: "AccessDeniedException",
              ip: "198.51.100.7", agent: "aws-cli/2.15"),
        event("e05", "2024-05-03T12:00:00Z", "BatchGetSecretValue", payments1, [s1Full, s2]),
    ]

    static let file2Events: [AuditEvent] = [
        file1Events[4],  // delivered twice
        event("e06", "2024-05-04T08:00:00Z", "PutResourcePolicy", alice, [s2], ip: "198.51.100.7", agent: "aws-cli/2.15",
              details: EventDetails(policy: "{\"Statement\":[]}", blockPublicPolicy: false)),
        event("e07", "2024-05-05T00:00:00Z", "DeleteSecret", alice, [s2], ip: "198.51.100.7", agent: "aws-cli/2.15",
              details: EventDetails(recoveryWindowInDays: 7)),
        event("e11", "2024-05-07T00:00:00Z", "ListSecrets", alice, [], ip: "198.51.100.7", agent: "aws-cli/2.15"),
    ]

    static let file3Events: [AuditEvent] = [
        event("e08", "2024-05-06T00:00:00Z", "GetSecretValue", payments2, [s3], account: a2, region: "eu-west-1", ip: "203.0.113.9"),
        event("e09", "2024-05-06T01:00:00Z", "DeleteSecret", root2, [s3], account: a2, region: "eu-west-1", ip: "203.0.113.10", agent: "console"),
        event("e10", "2024-05-06T02:00:00Z", "RestoreSecret", root2, [s3], account: a2, region: "eu-west-1", ip: "203.0.113.10", agent: "console"),
    ]

    static func alert(_ id: String, rule: String, severity: Severity, event e: AuditEvent, summary: String) -> (alert: Alert, json: String) {
        let a = Alert(id: id, rule: rule, severity: severity, title: rule, summary: summary, time: e.eventTime, account: e.account,
                      region: e.region, principal: e.principal, secret: e.secrets.first, eventID: e.eventID, eventName: e.eventName,
                      sourceIPAddress: e.sourceIPAddress, userAgent: e.userAgent, recordJSON: "{}")
        return (a, "{\"id\":\"\(id)\",\"rule\":\"\(rule)\",\"severity\":\"\(severity.rawValue)\",\"count\":1,\"eventID\":\"\(e.eventID)\"}")
    }

    static func ledger(_ path: String, records: Int, status: FileStatus = .done, reason: String? = nil, newest: String? = nil) -> FileLedgerEntry {
        FileLedgerEntry(path: path, size: 1000, fingerprint: "fp-" + path, format: "cloudTrailLog", records: records,
                        status: status, reason: reason, ingestedAt: time("2024-05-09T00:00:00Z"), newestEventTime: newest.map(time))
    }

    static let path1 = "logs/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/03/a.json.gz"
    static let path2 = "logs/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/07/b.json.gz"
    static let path3 = "logs/AWSLogs/o-abc123/222222222222/CloudTrail/eu-west-1/2024/05/06/c.json.gz"

    /// Commits the fixture files; returns the store.
    @discardableResult
    static func populate(_ store: Store) throws -> Store {
        try store.commit(FileCommit(ledger: ledger(path1, records: 5, newest: "2024-05-03T12:00:00Z"), events: file1Events,
                                    learnedSecrets: [s1Full]))
        try store.commit(FileCommit(
            ledger: ledger(path2, records: 4, newest: "2024-05-07T00:00:00Z"), events: file2Events,
            alerts: [alert("alert-del-e07", rule: "secret-deletion", severity: .high, event: file2Events[2],
                           summary: "user/alice scheduled shared/api-key for deletion")]))
        try store.commit(FileCommit(
            ledger: ledger(path3, records: 3, newest: "2024-05-06T02:00:00Z"), events: file3Events,
            alerts: [alert("alert-unu-e08", rule: "unusual-reader", severity: .medium, event: file3Events[0],
                           summary: "role/app-payments read shared/api-key for the first time")],
            suppressed: [("alert-unu-e08", 2)]))
        try store.commit(FileCommit(ledger: ledger("logs/AWSLogs/111111111111/CloudTrail-Digest/us-east-1/d.json.gz", records: 0,
                                                   status: .skipped, reason: "CloudTrail digest file")))
        try store.commit(FileCommit(ledger: ledger("logs/broken.json.gz", records: 0, status: .failed,
                                                   reason: "truncated gzip at byte 812")))
        return store
    }

    static func populated() throws -> Store { try populate(try Store.inMemory()) }

    /// The query service over the fixture, stored on the engine of `kind`.
    static func queries(_ kind: StoreKind) throws -> QueryService {
        QueryService(store: try populate(try makeStore(kind)), now: now)
    }

    /// A new, empty PostgreSQL store: a database of its own in the tests' throwaway cluster.
    static func postgresStore() throws -> Store {
        let database = try PostgresTestCluster.shared().makeDatabase(prefix: "store")
        return try PostgresStore.open(url: database.url, readOnly: false)
    }

    /// Makes the store refuse a ledger row for `path` (a commit that fails at its very end).
    static func refuseLedgerRow(_ store: Store, path: String, message: String) throws {
        try store.write("test trigger") { db in
            if db.dialect == .sqlite {
                try db.execute("CREATE TRIGGER refuse BEFORE INSERT ON files WHEN NEW.path = '\(path)' BEGIN SELECT RAISE(ABORT, '\(message)'); END")
            } else {
                try db.execute("""
                    CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.path = '\(path)' THEN RAISE EXCEPTION '\(message)'; END IF; RETURN NEW; END $$
                    """)
                try db.execute("CREATE TRIGGER refuse BEFORE INSERT ON files FOR EACH ROW EXECUTE FUNCTION refuse()")
            }
        }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailstore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

extension Store {
    /// The GRDB queue of an SQLite store, for tests that inspect tables and pragmas directly.
    var queue: DatabaseQueue {
        guard let sqlite = backend as? SQLiteBackend else { fatalError("\(path) is not an SQLite store") }
        return sqlite.queue
    }
}

extension Store {
    /// The SQLite engine of the store (these tests look at its event-id tracking).
    var sqlite: SQLiteBackend {
        guard let sqlite = backend as? SQLiteBackend else { fatalError("\(path) is not an SQLite store") }
        return sqlite
    }
}
