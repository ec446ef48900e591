import TrailJSON
import TrailModel

/// Changes to the audit trail itself: `StopLogging`, `DeleteTrail`, `UpdateTrail`,
/// `PutEventSelectors` and `LeaveOrganization` (an account that leaves its organisation drops out
/// of the organisation trail).
///
/// `StopLogging`, `DeleteTrail` and `LeaveOrganization` always give a finding. `UpdateTrail` gives
/// one only when it weakens the trail: delivery to another bucket (compared with the bucket the
/// history knows, when it knows one; a 12-digit account id in the bucket's name that is not the
/// trail's account is named), or `isMultiRegionTrail`, `includeGlobalServiceEvents`,
/// `enableLogFileValidation` or `isOrganizationTrail` turned off. `PutEventSelectors` gives one
/// when the selectors stop logging read management events of Secrets Manager (where
/// `GetSecretValue` is logged) or drop data event types the trail had (known from an earlier
/// `PutEventSelectors` in the history). A failed call gets the `denied` severity.
///
/// Successful calls update ``TrailHistory``; `CreateTrail` only teaches it the bucket.
enum TrailChangeAnalysis {
    static func analyse(_ e: AuditEvent, record: JSONValue, config: TrailChangeConfig, history: TrailHistory) -> Finding? {
        let request = record["requestParameters"]
        let response = record["responseElements"]
        let trail = trailName(e, request: request, response: response)
        let key = TrailHistory.key(account: e.account, trail: trail ?? "")
        let who = Phrase.who(e.principal)
        let trailText = trail.map { "trail \(TrailHistory.trailName($0))" } ?? "a trail"
        let failed = e.errorCode != nil
        var evidence: [EvidenceItem] = []
        if let trail { evidence.append(EvidenceItem("trail", .string(trail))) }
        if let error = e.errorCode { evidence.append(EvidenceItem("errorCode", .string(error))) }
        var what: String

        switch e.eventName {
        case "StopLogging":
            what = failed ? "tried to stop logging of \(trailText)" : "stopped logging of \(trailText)"
        case "DeleteTrail":
            what = failed ? "tried to delete \(trailText)" : "deleted \(trailText)"
        case "LeaveOrganization":
            what = failed
                ? "tried to take account \(e.account) out of its organization"
                : "took account \(e.account) out of its organization (and its organization trail)"
        case "CreateTrail":
            if !failed, let bucket = (response?["s3BucketName"] ?? request?["s3BucketName"])?.string {
                history.update(key) { $0.bucket = bucket }
            }
            return nil
        case "UpdateTrail":
            var changes: [String] = []
            if let bucket = request?["s3BucketName"]?.string {
                let previous = history.config(key)?.bucket
                if previous != bucket {
                    var text = "moved log delivery to bucket \(bucket)"
                    if let previous { text += " (from \(previous))" }
                    if let owner = foreignAccount(in: bucket, account: e.account) {
                        text += ", whose name names account \(owner)"
                        evidence.append(EvidenceItem("bucketAccount", .string(owner)))
                    }
                    changes.append(text)
                    evidence.append(EvidenceItem("s3BucketName", .string(bucket)))
                    if let previous { evidence.append(EvidenceItem("previousS3BucketName", .string(previous))) }
                }
                if !failed { history.update(key) { $0.bucket = bucket } }
            }
            let switches: [(String, String)] = [
                ("isMultiRegionTrail", "made it a single-region trail"),
                ("includeGlobalServiceEvents", "turned off global service events (IAM, STS)"),
                ("enableLogFileValidation", "turned off log file validation"),
                ("isOrganizationTrail", "stopped it applying to the organization"),
            ]
            for (field, text) in switches where request?[field]?.bool == false {
                changes.append(text)
                evidence.append(EvidenceItem(field, .bool(false)))
            }
            guard !changes.isEmpty else { return nil }
            what = "\(failed ? "tried to change" : "changed") \(trailText): \(changes.joined(separator: "; "))"
        case "PutEventSelectors":
            guard let coverage = SelectorCoverage.of(request: request) else { return nil }
            let before = history.config(key)?.coverage
            if !failed { history.update(key) { $0.coverage = coverage } }
            var changes: [String] = []
            if !coverage.readManagement {
                changes.append("read management events of Secrets Manager (GetSecretValue) are no longer logged")
                evidence.append(EvidenceItem("readManagementEventsLogged", .bool(false)))
            }
            let kept = Set(coverage.dataTypes)
            let dropped = (before?.dataTypes ?? []).filter { !kept.contains($0) }
            if !dropped.isEmpty {
                changes.append("data events no longer logged: \(dropped.joined(separator: ", "))")
                evidence.append(EvidenceItem("droppedDataEventTypes", .strings(dropped)))
            }
            guard !changes.isEmpty else { return nil }
            what = "\(failed ? "tried to narrow" : "narrowed") the event selectors of \(trailText): \(changes.joined(separator: "; "))"
        default:
            return nil
        }
        return Finding(
            severity: failed ? config.denied : nil,
            summary: "\(who) \(what)\(Phrase.outcome(e))\(Phrase.place(e))",
            evidence: evidence, secret: nil)
    }

    /// The trail the call names: `name` or `trailName` in the request, else `trailARN` in the response.
    static func trailName(_ e: AuditEvent, request: JSONValue?, response: JSONValue?) -> String? {
        for v in [request?["name"], request?["trailName"], response?["trailARN"]] {
            if let s = v?.string, !s.isEmpty { return s }
        }
        return nil
    }

    /// A 12-digit run in a bucket name (as in `aws-cloudtrail-logs-123456789012-abcd`) that is not
    /// `account`.
    static func foreignAccount(in bucket: String, account: String) -> String? {
        var run = ""
        for c in bucket.unicodeScalars + ["-"] {
            if c.properties.numericType != nil && c.isASCII {
                run.unicodeScalars.append(c)
                continue
            }
            if run.count == 12 && run != account { return run }
            run = ""
        }
        return nil
    }
}
