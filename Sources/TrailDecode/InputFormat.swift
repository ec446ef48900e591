/// The shape of one input file, detected from its content (never from its name).
public enum InputFormat: String, Sendable, Hashable, CaseIterable {
    /// CloudTrail's S3 delivery format: `{"Records":[...]}`.
    case cloudTrailLog
    /// A bare JSON array of records.
    case recordArray
    /// One record per line (Firehose, Lake and SIEM exports).
    case jsonLines
    /// `aws cloudtrail lookup-events` output: `{"Events":[{"CloudTrailEvent":"<json>"}]}`.
    case lookupEvents
    /// EventBridge envelopes (`detail-type` + `detail`), one or one per line.
    case eventBridge
    /// A CloudTrail-Digest file (skipped).
    case digest
    /// A CloudTrail-Insight file (skipped).
    case insight
    /// JSON that is not CloudTrail records (skipped).
    case unknownJSON
    /// No content, or only whitespace (skipped).
    case empty
}
