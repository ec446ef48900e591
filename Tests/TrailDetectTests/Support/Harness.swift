import TrailDecode
import TrailDetect
import TrailJSON
import TrailMatch
import TrailModel

/// Feeds CloudTrail records through the pipeline's core stages as the pipeline does (normaliser,
/// secret catalog in file order, EventBridge envelope, compiled patterns) into a detection engine,
/// and keeps the store's view of the detector state.
final class Harness {
    let rules: [RuleDefinition]
    let patterns: CompiledPatterns
    var engine: DetectionEngine
    let normaliser = Normaliser()
    var catalog = SecretCatalog(known: [])
    var state: [String: DetectorStateEntry] = [:]

    init(rules: [RuleDefinition], state: [DetectorStateEntry] = []) throws {
        self.rules = rules
        self.patterns = try CompiledPatterns(rules.map { NamedPattern(name: $0.name, file: $0.file, pattern: $0.pattern) })
        self.engine = try DetectionEngine(rules: rules, state: state)
        for s in state { self.state[s.namespace + "\u{0}" + s.key] = s }
    }

    /// Items for one file of records.
    func items(_ records: [JSONValue], path: String = "file") -> [(event: AuditEvent, record: JSONValue, matched: [Int])] {
        records.enumerated().compactMap { i, r in
            let decoded = DecodedRecord(record: r, location: RecordLocation(path: path, recordIndex: i, byteOffset: r.byteOffset))
            guard case var .success(e) = normaliser.normalise(decoded) else { return nil }
            catalog.resolve(&e)
            let envelope = EnvelopeBuilder.envelope(for: e, record: r)
            return (e, r, patterns.matchingIndexes(event: envelope.root, detail: r))
        }
    }

    /// Processes one decoded file.
    @discardableResult
    func file(decoded: [DecodedRecord]) -> DetectionOutcome {
        let items: [(event: AuditEvent, record: JSONValue, matched: [Int])] = decoded.compactMap { d in
            guard case var .success(e) = normaliser.normalise(d) else { return nil }
            catalog.resolve(&e)
            let envelope = EnvelopeBuilder.envelope(for: e, record: d.record)
            return (e, d.record, patterns.matchingIndexes(event: envelope.root, detail: d.record))
        }
        return apply(engine.process(items))
    }

    private func apply(_ outcome: DetectionOutcome) -> DetectionOutcome {
        for s in outcome.stateChanges {
            let k = s.namespace + "\u{0}" + s.key
            if s.value == nil { state[k] = nil } else { state[k] = s }
        }
        return outcome
    }

    /// Processes one file; keeps the store's view of the state up to date.
    @discardableResult
    func file(_ records: [JSONValue], path: String = "file") -> DetectionOutcome {
        apply(engine.process(items(records, path: path)))
    }

    var snapshot: [DetectorStateEntry] { state.values.sorted { ($0.namespace, $0.key) < ($1.namespace, $1.key) } }

    static func records(bytes: [UInt8]) throws -> [JSONValue] {
        let doc = try JSONDocument(bytes: bytes)
        return doc.root.kind == .array ? Array(doc.root.elements) : [doc.root]
    }
}
