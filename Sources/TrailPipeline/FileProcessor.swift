import TrailDecode
import TrailIngest
import TrailJSON
import TrailMatch
import TrailModel
import TrailStore
import TrailVerify

/// The parallel stage: turns one file into normalised, matched events. Stateless and safe to
/// run on several files at once.
public struct FileProcessor: Sendable {
    public let rules: RuleBook
    public let store: Store
    public let normaliser = Normaliser()
    /// Envelope constants shared by the files processed concurrently.
    private let envelopeConstants = EnvelopeConstantsCache()
    /// Largest file accepted, after decompression (`--max-file-size`).
    public var maxFileBytes: Int = FileReader.defaultMaxBytes
    /// Largest record accepted, in bytes of JSON. CloudTrail's records are at most a few hundred
    /// KB (it omits request and response elements that are too large); a larger one is counted
    /// as invalid rather than copied into events, alerts and the store several times over.
    public var maxRecordBytes: Int = 16 << 20
    /// When set (`tail --public-keys`), each CloudTrail digest file is checked as it is read.
    public var digestWatch: DigestWatch?
    /// When set (a store shared by several workers), each file is claimed before it is read and
    /// after the ledger says it is new; a file another worker holds is left to it.
    public var claims: ClaimKeeper?
    /// With ``claims``: when this run started, on this worker's wall clock. A ledger row stamped
    /// since then (``FileLedgerEntry/ingestedAt``), done at the size this run listed, is taken as
    /// done without reading the file: the worker of this run that wrote it read the file moments
    /// before, so its fingerprint stands for this run too, as it does for a file a live holder
    /// commits while this worker waits (``IngestRunner/run(_:deferIncomplete:revisitHeld:stop:)``).
    /// Without it, a worker that falls behind the others reads and hashes every file they
    /// committed ahead of it. A row from an earlier run is still confirmed by the file's
    /// fingerprint. Nil: every row is. For a run that lists each file once (`backfill`): a run
    /// that lists a file again when it changes (`tail`) would take its own earlier row for the
    /// new content.
    public var peerCommitsSince: EventTime?

    public init(rules: RuleBook, store: Store) {
        self.rules = rules
        self.store = store
    }

    /// Reads, decodes and matches `file`, unless the ledger holds it as done or (with claims)
    /// another worker holds it. `admission`: what the store said about the file in a batch
    /// look-up (``admissions(for:)``); without it, the file asks the store itself.
    public func process(_ file: DiscoveredFile, admission: FileAdmission? = nil) -> ProcessedFile {
        // Another worker holds it, and the ledger did not hold it as done: nothing to read.
        if case let .held(worker, until)? = admission?.claim {
            return ProcessedFile(file: file, fingerprint: "", outcome: .claimedElsewhere(worker: worker, until: until))
        }
        if let committed = committedInThisRun(file, admission: admission) {
            return ProcessedFile(file: file, fingerprint: committed.fingerprint, outcome: .alreadyDone)
        }
        let stored: StoredFile
        do {
            stored = try FileReader.readStored(path: file.path, systemPath: file.rawPath, maxBytes: maxFileBytes)
        } catch {
            if error.code == .unsupportedFileType {
                // A FIFO, socket or device where a file was (swapped in after the walk): not a
                // log file, skipped with the reason.
                return claimGate(file, fingerprint: "", size: file.size, admission: admission)
                    ?? ProcessedFile(file: file, fingerprint: "", outcome: .skipped(format: "not-a-file", reason: error.reason))
            }
            return claimGate(file, fingerprint: "", size: file.size, admission: admission)
                ?? ProcessedFile(file: file, fingerprint: "", outcome: .failed(reason: "\(error)", incomplete: error.isIncomplete))
        }
        if stored.bytes.isEmpty, LogFileName.isCloudTrailLog(LogFileName.baseName(file.path)) {
            if let gate = claimGate(file, fingerprint: stored.fingerprint, size: stored.size, admission: admission) { return gate }
            // CloudTrail never delivers an empty log file: this is a lost delivery, or one still
            // being written (tail waits for it until --incomplete-timeout).
            return ProcessedFile(file: file, fingerprint: stored.fingerprint, outcome: .failed(
                reason: "\(file.path): empty file with a CloudTrail log file name (a lost or unfinished delivery)", incomplete: true))
        }
        // Decided from the bytes as stored, before inflating: re-runs and restarts cost a read and
        // a hash per file. A file whose size or fingerprint changed is read again.
        if isDone(file, size: stored.size, fingerprint: stored.fingerprint, admission: admission) {
            return ProcessedFile(file: file, fingerprint: stored.fingerprint, outcome: .alreadyDone)
        }
        if let gate = claimGate(file, fingerprint: stored.fingerprint, size: stored.size, admission: admission) { return gate }
        let content: FileContent
        do {
            content = try FileReader.content(of: stored, path: file.path, maxBytes: maxFileBytes)
        } catch {
            return ProcessedFile(file: file, fingerprint: stored.fingerprint, outcome: .failed(reason: "\(error)", incomplete: error.isIncomplete))
        }
        return process(file, content: content)
    }

    /// The rest of `process(_:)` once the file's content is in hand (also for remote objects,
    /// whose ledger check happens before they are fetched).
    public func process(_ file: DiscoveredFile, content: FileContent) -> ProcessedFile {
        let decoded: DecodedFile
        do {
            decoded = try RecordDecoder.decode(content.bytes, path: file.path)
        } catch {
            return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .failed(reason: "\(error)", incomplete: error.isIncomplete))
        }
        if let reason = decoded.skipReason {
            if LogFileName.isCloudTrailLog(LogFileName.baseName(file.path)) {
                // CloudTrail delivers records under such a name, nothing else: what holds none
                // (`{"Items":[…]}`, `{}`, a digest) is a damaged or replaced delivery, not a file
                // to pass over.
                return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .failed(
                    reason: "\(file.path): a CloudTrail log file name, but \(reason) (a damaged or replaced delivery)", incomplete: false))
            }
            var skipped = ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .skipped(format: decoded.format.rawValue, reason: reason))
            if let digestWatch { skipped.digestCheck = checkDigest(digestWatch, path: file.path, bytes: content.bytes) }
            return skipped
        }
        if decoded.records.isEmpty && decoded.invalid.isEmpty {
            return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .skipped(format: decoded.format.rawValue, reason: "no records"))
        }
        var invalid = decoded.invalid
        var items: [PipelineItem] = []
        items.reserveCapacity(decoded.records.count / 4)
        var newest: EventTime?
        let matcher = PatternMatcher(rules.patterns)
        var sketcher = EnvelopeSketcher(shared: envelopeConstants)
        var oversized = 0
        for record in decoded.records {
            let size = record.record.rawBytes.count
            if size > maxRecordBytes {
                oversized += 1
                invalid.append(InvalidRecord(
                    location: record.location, reason: "record is \(size) bytes, more than the \(maxRecordBytes) bytes accepted for one record"))
                continue
            }
            // Most records match no rule and concern no secret: match them on a view of their
            // envelope and normalise only those the committer will see.
            if let sketch = sketcher.sketch(record) {
                if newest.map({ sketch.eventTime > $0 }) ?? true { newest = sketch.eventTime }
                // A source no rule looks at, and no secret: passed over without an envelope.
                guard sketch.isSecretsManager || sketch.kmsMayNameSecret || matcher.mayMatch(constants: sketch.constants) else { continue }
                var view = EnvelopeView(base: sketch.constants, detail: record.record)
                view.addMember("id", detailNode: sketch.eventID)
                view.addMember("account", detailNode: sketch.account)
                view.addMember("time", detailNode: sketch.time)
                view.addMember("region", detailNode: sketch.region)
                view.addList("resources", elementsOf: sketch.resources, member: "ARN")
                let matched = matcher.matchingIndexes(envelope: view)
                guard !matched.isEmpty || sketch.isSecretsManager || sketch.kmsMayNameSecret else { continue }
                switch normaliser.normalise(record) {
                case let .failure(problem):
                    // Not reached: a sketched record always normalises.
                    invalid.append(problem)
                case let .success(event):
                    let item = PipelineItem(event: event, record: record.record, matched: matched)
                    if !matched.isEmpty || item.isSecretRelated { items.append(item) }
                }
                continue
            }
            switch normaliser.normalise(record) {
            case let .failure(problem):
                invalid.append(problem)
            case let .success(event):
                if newest.map({ event.eventTime > $0 }) ?? true { newest = event.eventTime }
                let envelope = EnvelopeBuilder.envelope(for: event, record: record.record)
                let matched = matcher.matchingIndexes(event: envelope.root, detail: record.record)
                let item = PipelineItem(event: event, record: record.record, matched: matched)
                if !matched.isEmpty || item.isSecretRelated { items.append(item) }
            }
        }
        // Items are views into the document: while any is kept, so are the content and its tape
        // (about the content's size again for CloudTrail's density).
        var processed = ProcessedFile(
            file: file, fingerprint: content.fingerprint,
            outcome: .decoded(format: decoded.format.rawValue, records: decoded.records.count - oversized, invalid: invalid, items: items, newestEventTime: newest),
            retainedBytes: items.isEmpty ? 0 : 2 * content.bytes.count
        )
        // Asked here, several files at once, rather than by the committer one file after another
        // (a round trip each on a shared store). A failed look-up leaves it to the committer.
        if !items.isEmpty { processed.storedEventIDs = try? store.existingEventIDs(items.map(\.event.eventID)) }
        return processed
    }

    /// Runs the digest checks, with the newest verified digest of the same trail from the store.
    private func checkDigest(_ watch: DigestWatch, path: String, bytes: [UInt8]) -> DigestWatch.Outcome? {
        guard let name = TrailObjectName.parse(path), name.kind == .digest else { return nil }
        let known = try? store.verifiedDigest(account: name.account, region: name.region, trail: name.trail ?? "")
        return watch.check(path: path, bytes: bytes, lastKnownEnd: known?.digestEnd)
    }
}
