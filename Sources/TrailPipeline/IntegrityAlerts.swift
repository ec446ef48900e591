import TrailDetect
import TrailJSON
import TrailModel
import TrailVerify

/// Alerts for the problems `tail` finds when a CloudTrail digest lands (see `DigestWatch`):
/// `trail-log-missing`, `trail-log-altered`, `trail-digest-chain-broken`, `trail-logging-gap`.
///
/// An alert's id is derived from its rule and the finding's kind and file, so seeing the same
/// digest again (a restart, a re-delivered file) adds nothing.
public enum IntegrityAlerts {
    /// The rule an integrity finding raises; nil for notices.
    public static func rule(for kind: Finding.Kind) -> (name: String, severity: Severity, title: String)? {
        switch kind {
        case .logMissing, .logUnreadable, .logUnlisted:
            return ("trail-log-missing", .high, "A CloudTrail log file is missing")
        case .logAltered:
            return ("trail-log-altered", .critical, "A CloudTrail log file was altered")
        case .digestMissing, .digestAltered, .digestUnknownKey, .digestBadSignature, .digestUnreadable:
            return ("trail-digest-chain-broken", .high, "The CloudTrail digest chain is broken")
        case .loggingGap:
            return ("trail-logging-gap", .high, "CloudTrail logged nothing for a while")
        case .digestUnchecked:
            return nil
        }
    }

    /// One alert per problem finding.
    public static func alerts(for findings: [Finding], wallClock: EventTime) -> [Alert] {
        findings.compactMap { f in
            guard let rule = rule(for: f.kind) else { return nil }
            let key = "\(f.kind.rawValue):\(f.file)"
            var evidence: [EvidenceItem] = [.init("finding", .string(f.kind.rawValue)), .init("file", .string(f.file))]
            if let d = f.digest { evidence.append(.init("digest", .string(d))) }
            if let s = f.start { evidence.append(.init("from", .string(s.iso8601))) }
            if let e = f.end { evidence.append(.init("to", .string(e.iso8601))) }
            var record = JSONWriter()
            record.beginObject()
            record.key("kind"); record.string(f.kind.rawValue)
            record.key("file"); record.string(f.file)
            record.key("digest"); record.optionalString(f.digest)
            record.key("detail"); record.string(f.detail)
            record.endObject()
            let span = f.start.map { s in " (\(s.iso8601) to \(f.end?.iso8601 ?? "?"))" } ?? ""
            return Alert(
                id: AlertID.make(rule: rule.name, eventID: key), rule: rule.name, severity: rule.severity, title: rule.title,
                summary: "\(f.kind.rawValue) in \(f.account) \(f.region)\(span): \(f.file): \(f.detail)",
                time: f.end ?? f.start ?? wallClock, account: f.account, region: f.region,
                principal: Principal(type: "AWSService", id: "cloudtrail.amazonaws.com"), secret: nil, eventID: key,
                eventName: "CloudTrailDigestCheck", sourceIPAddress: nil, userAgent: nil, evidence: evidence,
                recordJSON: record.text)
        }
    }
}
