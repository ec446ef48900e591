import TrailModel

/// What a detector (or a plain pattern match) says about one event: the alert minus the fields
/// every alert takes from the event.
struct Finding {
    /// nil: the rule's severity.
    var severity: Severity?
    var summary: String
    var evidence: [EvidenceItem]
    /// The secret the alert is about (defaults to the event's first secret).
    var secret: SecretRef?
    /// The event (and its record text) the alert is about when it is not the event at hand: a
    /// threshold alert names the event that completes its window by event time.
    var attributed: (event: AuditEvent, record: String)? = nil
}

/// Phrases for summaries.
enum Phrase {
    /// What an alert says of a window AWS would not have accepted (`recovery window recorded as
    /// 0 days, which AWS does not accept; taken as 7`), or nil for one it would.
    static func window(_ name: String, recorded: Int?, taken: Int) -> String? {
        guard let recorded, RecoveryWindow.isImpossible(recorded) else { return nil }
        return "\(name) recorded as \(recorded) days, which AWS does not accept; taken as \(taken)"
    }

    /// `role/app-payments`, or `role/AdminAccess (erin@example.com)` when a session name helps.
    static func who(_ p: Principal) -> String {
        let name = p.displayName
        if let s = p.session, !s.isEmpty, !name.hasSuffix("/" + s) { return "\(name) (\(s))" }
        return name
    }

    /// `secret prod/db`, `2 secrets (prod/a, prod/b)`, or "" when the event names none.
    static func secrets(_ list: [SecretRef]) -> String {
        switch list.count {
        case 0: return ""
        case 1: return "secret \(list[0].name)"
        default: return "\(list.count) secrets (\(names(list.map(\.name), limit: 5)))"
        }
    }

    /// `text` cut to `limit` characters on one line (`…` when cut).
    static func clip(_ text: String, _ limit: Int) -> String {
        let line = String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    /// `a, b, c, +4 more`.
    static func names(_ list: [String], limit: Int) -> String {
        if list.count <= limit { return list.joined(separator: ", ") }
        return list.prefix(limit).joined(separator: ", ") + ", +\(list.count - limit) more"
    }

    /// ` (account 123456789012, us-east-1)`.
    static func place(_ e: AuditEvent) -> String { " (account \(e.account), \(e.region))" }

    /// ` (AccessDenied)` when the call failed.
    static func outcome(_ e: AuditEvent) -> String { e.errorCode.map { " (\($0))" } ?? "" }

    /// What the event was: `called RestoreSecret on secret prod/x` or `called DisableKey on KMS key k`.
    static func action(_ e: AuditEvent) -> String {
        var s = "called \(e.eventName)"
        if !e.secrets.isEmpty {
            s += " on " + secrets(e.secrets)
        } else if !e.details.kmsKeys.isEmpty {
            s += " on KMS key " + unique(e.details.kmsKeys.map(KMSKeyID.normalise)).joined(separator: ", ")
        }
        return s
    }
}
