import TrailModel

/// `DeleteSecret`: when the secret goes away and how bad that is.
///
/// The deletion date is the event time plus the recovery window (30 days when the request gives
/// none; see ``RecoveryWindow`` for windows AWS would not accept); `forceDeleteWithoutRecovery`
/// deletes at once. A forced deletion or a window shorter
/// than `minimumWindowDays` gets the `escalate` severity; a failed attempt (`AccessDenied`) the
/// `denied` severity: someone tried.
enum SecretDeletionAnalysis {
    static func analyse(_ e: AuditEvent, config: SecretDeletionConfig) -> Finding {
        let who = Phrase.who(e.principal)
        let target = e.secrets.isEmpty ? "a secret" : Phrase.secrets(e.secrets)
        if let error = e.errorCode {
            var evidence = [EvidenceItem("errorCode", .string(error))]
            if let w = e.details.recoveryWindowInDays { evidence.append(EvidenceItem("recoveryWindowInDays", .integer(Int64(w)))) }
            if e.details.forceDeleteWithoutRecovery { evidence.append(EvidenceItem("forceDeleteWithoutRecovery", .bool(true))) }
            return Finding(
                severity: config.denied,
                summary: "\(who) tried to delete \(target) (\(error))\(Phrase.place(e))",
                evidence: evidence, secret: e.secrets.first)
        }
        if e.details.forceDeleteWithoutRecovery {
            return Finding(
                severity: config.escalate,
                summary: "\(who) deleted \(target) immediately, without recovery\(Phrase.place(e))",
                evidence: [
                    EvidenceItem("deletionDate", .string(e.eventTime.iso8601)),
                    EvidenceItem("forceDeleteWithoutRecovery", .bool(true)),
                ],
                secret: e.secrets.first)
        }
        let recorded = e.details.recoveryWindowInDays
        let window = RecoveryWindow.effectiveDays(recorded)
        let date = e.eventTime.adding(.days(Int64(window)))
        let short = window < config.minimumWindowDays
        let windowText = Phrase.window("recovery window", recorded: recorded, taken: window)
            ?? "recovery window \(window) day\(window == 1 ? "" : "s")"
        var evidence = [
            EvidenceItem("deletionDate", .string(date.iso8601)),
            EvidenceItem("recoveryWindowInDays", .integer(Int64(window))),
            EvidenceItem("forceDeleteWithoutRecovery", .bool(false)),
        ]
        if RecoveryWindow.isImpossible(recorded) { evidence.append(EvidenceItem("recordedRecoveryWindowInDays", .integer(Int64(recorded!)))) }
        return Finding(
            severity: short ? config.escalate : nil,
            summary: "\(who) scheduled \(target) for deletion on \(date.dateString) (\(windowText)\(short ? ", shorter than \(config.minimumWindowDays)" : ""))\(Phrase.place(e))",
            evidence: evidence,
            secret: e.secrets.first)
    }
}
