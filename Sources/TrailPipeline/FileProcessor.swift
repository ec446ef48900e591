import TrailDecode
import TrailIngest
import TrailJSON
import TrailMatch
import TrailModel
import TrailStore

/// The parallel stage: turns one file into normalised, matched events. Stateless and safe to
/// run on several files at once.
public struct FileProcessor: Sendable {
    public let rules: RuleBook
    public let store: Store
    public let normaliser = Normaliser()
    /// Envelope constants shared by the files processed concurrently.
    private let envelopeConstants = EnvelopeConstantsCache()
    /// Largest decompressed file accepted.
    public var maxFileBytes: Int = 1 << 31

    public init(rules: RuleBook, store: Store) {
        self.rules = rules
        self.store = store
    }

    public func process(_ file: DiscoveredFile) -> ProcessedFile {
        let content: FileContent
        do {
            content = try FileReader.read(path: file.path, maxBytes: maxFileBytes)
        } catch {
            return ProcessedFile(file: file, fingerprint: "", outcome: .failed(reason: "\(error)", incomplete: error.isIncomplete))
        }
        return process(file, content: content)
    }

    /// The rest of `process(_:)` once the file's content is in hand (also for remote objects).
    public func process(_ file: DiscoveredFile, content: FileContent) -> ProcessedFile {
        if let entry = try? store.ledgerEntry(path: file.path),
           entry.status != .failed, entry.size == content.compressedSize, entry.fingerprint == content.fingerprint {
            return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .alreadyDone)
        }
        let decoded: DecodedFile
        do {
            decoded = try RecordDecoder.decode(content.bytes, path: file.path)
        } catch {
            return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .failed(reason: "\(error)", incomplete: error.isIncomplete))
        }
        if let reason = decoded.skipReason {
            return ProcessedFile(file: file, fingerprint: content.fingerprint, outcome: .skipped(format: decoded.format.rawValue, reason: reason))
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
        for record in decoded.records {
            // Most records match no rule and concern no secret: match them on a view of their
            // envelope and normalise only those the committer will see.
            if let sketch = sketcher.sketch(record.record) {
                if newest.map({ sketch.eventTime > $0 }) ?? true { newest = sketch.eventTime }
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
        return ProcessedFile(
            file: file, fingerprint: content.fingerprint,
            outcome: .decoded(format: decoded.format.rawValue, records: decoded.records.count, invalid: invalid, items: items, newestEventTime: newest)
        )
    }
}
