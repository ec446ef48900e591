import TrailDecode
import TrailIngest
import TrailJSON
import TrailModel
import TrailVerify

/// One event that survived the parallel stage: normalised, with the rules whose pattern matched.
public struct PipelineItem: Sendable {
    public var event: AuditEvent
    /// The CloudTrail record, in its file's parsed document.
    public var record: JSONValue
    /// Indexes into the rule book of the rules whose pattern matched.
    public var matched: [Int]

    /// Whether the event belongs in the access history: every Secrets Manager event, and every
    /// KMS event that names a secret.
    public var isSecretRelated: Bool {
        event.eventSource == "secretsmanager.amazonaws.com"
            || (event.eventSource == "kms.amazonaws.com" && !event.secrets.isEmpty)
    }
}

/// The result of reading, decoding, normalising and matching one file (the parallel stage).
public struct ProcessedFile: Sendable {
    public enum Outcome: Sendable {
        /// The ledger already holds this exact file as done or skipped.
        case alreadyDone
        /// Another worker on the shared store holds a live claim on the file: not read.
        case claimedElsewhere(worker: String, until: EventTime)
        /// The file could not be read or decoded; `incomplete` when it may still be being written.
        case failed(reason: String, incomplete: Bool)
        /// The file holds no CloudTrail records (digest, Insight, other JSON, empty).
        case skipped(format: String, reason: String)
        /// The file's records.
        case decoded(format: String, records: Int, invalid: [InvalidRecord], items: [PipelineItem], newestEventTime: EventTime?)
    }

    public var file: DiscoveredFile
    public var fingerprint: String
    public var outcome: Outcome
    /// For a CloudTrail digest checked by `tail` (`FileProcessor.digestWatch`): what the check found.
    public var digestCheck: DigestWatch.Outcome? = nil
    /// An estimate of the memory this result keeps alive until it is committed: the decompressed
    /// content and its tape when events (views into the document) are kept, else nothing much.
    /// The runner's look-ahead budget counts it.
    public var retainedBytes: Int = 0
    /// Of the kept events' ids, those the store held when the file was decoded: looked up in the
    /// parallel stage, so the committer asks the store only about ids this run has examined
    /// before (see ``FileCommitter``). Nil: not looked up (the committer asks about them all).
    public var storedEventIDs: Set<String>? = nil

    public init(file: DiscoveredFile, fingerprint: String, outcome: Outcome, retainedBytes: Int = 0) {
        self.file = file
        self.fingerprint = fingerprint
        self.outcome = outcome
        self.retainedBytes = retainedBytes
    }
}
