import TrailDetect
import TrailJSON
import TrailModel

/// Builds `AuditEvent`s directly, for detector tests that need exact control.
enum Ev {
    static let t0 = EventTime(milliseconds: 1_717_200_000_000)   // 2024-06-01T00:00:00Z

    static func at(minutes m: Double) -> EventTime { EventTime(milliseconds: t0.milliseconds + Int64(m * 60_000)) }
    static func at(days d: Double) -> EventTime { at(minutes: d * 1440) }

    static func secret(_ name: String, account: String = "111122223333") -> SecretRef {
        SecretRef(id: "arn:aws:secretsmanager:us-east-1:\(account):secret:\(name)-AbC123", name: name, account: account, region: "us-east-1", isFullARN: true)
    }

    static func role(_ name: String, session: String = "s1", account: String = "111122223333") -> Principal {
        Principal(type: "AssumedRole", id: "arn:aws:iam::\(account):role/\(name)", session: session, accountId: account)
    }

    static let recordDoc: JSONDocument = {
        // A tiny stand-in record; alerts carry its text.
        (try? JSONDocument(bytes: Array(#"{"eventVersion":"1.09"}"#.utf8))) ?? { fatalError("static JSON") }()
    }()

    static func event(
        _ id: String, _ name: String = "GetSecretValue", at time: EventTime, by principal: Principal = role("app"),
        secrets: [SecretRef] = [], error: String? = nil, source: String = "secretsmanager.amazonaws.com",
        details: EventDetails = EventDetails(), account: String = "111122223333"
    ) -> AuditEvent {
        AuditEvent(
            eventID: id, eventTime: time, eventSource: source, eventName: name, eventType: "AwsApiCall",
            region: "us-east-1", account: account, sourceIPAddress: "203.0.113.9", userAgent: "test-agent",
            errorCode: error, principal: principal, secrets: secrets, details: details,
            location: RecordLocation(path: "t", recordIndex: 0, byteOffset: 0))
    }

    /// Items where `rules` says which rule indexes matched (all by default).
    static func items(_ events: [AuditEvent], matched: [Int] = [0]) -> [(event: AuditEvent, record: JSONValue, matched: [Int])] {
        events.map { ($0, recordDoc.root, matched) }
    }

    static func rule(_ name: String = "r", severity: Severity = .medium, detector: DetectorConfig? = nil, suppress: SuppressConfig? = nil) -> RuleDefinition {
        RuleDefinition(name: name, title: "T \(name)", severity: severity, pattern: recordDoc.root, detector: detector, suppress: suppress)
    }
}
