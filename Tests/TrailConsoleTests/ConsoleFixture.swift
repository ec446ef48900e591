import Foundation
import HummingbirdTesting
import Hummingbird
import TrailConsole
import TrailModel
import TrailPresentation
import TrailStore

/// A small store on disk whose attacker-controlled fields carry HTML, script, attribute and URL
/// payloads, opened read-only for the console as `serve` opens it.
enum ConsoleFixture {
    static let account = "111111111111"
    static let now = time("2024-05-10T00:00:00Z")
    static let script = "<script>alert(1)</script>"
    static let quote = "\"><img src=x onerror=alert(2)>"
    static let svg = "<svg onload=alert(3)>"
    static let secretValue = "TOP-SECRET-VALUE-0123"

    static let secret = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf",
                                  name: "prod/db", account: account, region: "us-east-1", isFullARN: true)
    /// A secret whose name is a `javascript:` URL with markup.
    static let hostileSecret = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:javascript:alert(4)//<b>x-Zz9Yx8",
                                         name: "javascript:alert(4)//<b>x", account: account, region: "us-east-1", isFullARN: true)
    static let app = Principal(type: "AssumedRole", id: "arn:aws:iam::111111111111:role/app", session: quote, accountId: account)
    static let intruder = Principal(type: "AssumedRole", id: "arn:aws:iam::111111111111:role/\(svg)", session: script, accountId: account)

    static func time(_ iso: String) -> EventTime { TimeArgument.parse(iso, now: EventTime(milliseconds: 0))! }

    static func event(_ id: String, _ iso: String, _ name: String, _ p: Principal, _ s: [SecretRef], agent: String = "aws-sdk-go/1.44",
                      error: String? = nil, details: EventDetails = EventDetails()) -> AuditEvent {
        AuditEvent(eventID: id, eventTime: time(iso), eventSource: "secretsmanager.amazonaws.com", eventName: name, eventType: "AwsApiCall",
                   region: "us-east-1", account: account, sourceIPAddress: "10.0.0.5", userAgent: agent, errorCode: error,
                   principal: p, secrets: s, details: details, location: RecordLocation(path: "f", recordIndex: 0, byteOffset: 0))
    }

    static let events: [AuditEvent] = [
        event("e1", "2024-05-01T10:00:00Z", "CreateSecret", app, [secret]),
        event("e2", "2024-05-02T10:00:00Z", "GetSecretValue", app, [secret]),
        event("e3", "2024-05-03T10:00:00Z", "GetSecretValue", intruder, [secret], agent: script + quote),
        event("e4", "2024-05-03T11:00:00Z", "GetSecretValue", intruder, [hostileSecret], agent: svg, error: "AccessDeniedException"),
        event("e5", "2024-05-04T10:00:00Z", "DeleteSecret", intruder, [hostileSecret], details: EventDetails(recoveryWindowInDays: 30)),
    ]

    /// The alert's stored JSON: its record carries a forged `SecretString`.
    static let alertJSON = """
        {"id":"alert-1","rule":"unusual-reader","severity":"high","summary":"\(script) read prod/db","count":1,"eventID":"e3",\
        "evidence":{"baseline":"\(svg)"},\
        "record":{"eventID":"e3","userAgent":"\(script)","requestParameters":{"secretId":"prod/db","SecretBinary":"\(secretValue)-b",\
        "Password":"\(secretValue)-p"},"additionalEventData":{"secret":"\(secretValue)-a"},\
        "responseElements":{"SecretString":"\(secretValue)","arn":"x","randomPassword":"\(secretValue)-r",\
        "keyMaterial":{"PrivateKeyPlaintext":"\(secretValue)-k","Blob":["\(secretValue)-l"]},"name":"prod/db"}}}
        """

    /// Writes the store to a temporary file and opens it read-only.
    static func store() throws -> Store {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailconsole-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/console.db"
        let writer = try Store.open(path: path)
        let e3 = events[2]
        let alert = Alert(id: "alert-1", rule: "unusual-reader", severity: .high, title: "Unusual reader", summary: script + " read prod/db",
                          time: e3.eventTime, account: account, region: "us-east-1", principal: intruder, secret: secret, eventID: "e3",
                          eventName: "GetSecretValue", sourceIPAddress: "10.0.0.5", userAgent: script, recordJSON: "{}")
        try writer.commit(FileCommit(
            ledger: FileLedgerEntry(path: "logs/AWSLogs/111111111111/CloudTrail/us-east-1/2024/05/03/a.json.gz", size: 10, fingerprint: "fp1",
                                    format: "cloudTrailLog", records: events.count, status: .done, ingestedAt: now, newestEventTime: events.last!.eventTime),
            events: events, alerts: [(alert, alertJSON)], learnedSecrets: [secret, hostileSecret]))
        try writer.commit(FileCommit(ledger: FileLedgerEntry(path: "logs/\(script).json.gz", size: 1, fingerprint: "fp2", format: "cloudTrailLog",
                                                             records: 0, status: .failed, reason: "truncated gzip at byte 812 \(quote)", ingestedAt: now)))
        return try Store.open(path: path, readOnly: true)
    }

    static func console() throws -> Console {
        Console(store: try store(), clock: { now })
    }

    /// GETs `uri` from an in-process application over `router`.
    static func get(_ router: Router<BasicRequestContext>, _ uri: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        let app = Application(router: router)
        return try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get, headers: headers) { response in
                (response.status, response.headers, String(buffer: response.body))
            }
        }
    }
}
