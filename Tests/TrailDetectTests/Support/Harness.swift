import TrailDetect
import TrailJSON
import TrailModel

/// Feeds CloudTrail records through the test normaliser, the test matcher and a detection engine.
final class Harness {
    let rules: [RuleDefinition]
    var engine: DetectionEngine
    let normaliser = TestNormaliser()
    var state: [String: DetectorStateEntry] = [:]

    init(rules: [RuleDefinition], state: [DetectorStateEntry] = []) throws {
        self.rules = rules
        self.engine = try DetectionEngine(rules: rules, state: state)
        for s in state { self.state[s.namespace + "\u{0}" + s.key] = s }
    }

    static func shippedRules() throws -> [RuleDefinition] { try RuleLoader.loadShipped() }

    /// Items for one file of records.
    func items(_ records: [JSONValue], path: String = "file") -> [(event: AuditEvent, record: JSONValue, matched: [Int])] {
        records.enumerated().compactMap { i, r in
            guard let e = normaliser.normalise(r, path: path, index: i) else { return nil }
            let matched = rules.indices.filter { TestMatcher.matches(rules[$0].pattern, event: e, record: r) }
            return (e, r, matched)
        }
    }

    /// Processes one file; keeps the store's view of the state up to date.
    @discardableResult
    func file(_ records: [JSONValue], path: String = "file") -> DetectionOutcome {
        let outcome = engine.process(items(records, path: path))
        for s in outcome.stateChanges {
            let k = s.namespace + "\u{0}" + s.key
            if s.value == nil { state[k] = nil } else { state[k] = s }
        }
        return outcome
    }

    var snapshot: [DetectorStateEntry] { state.values.sorted { ($0.namespace, $0.key) < ($1.namespace, $1.key) } }

    static func records(_ json: String) throws -> [JSONValue] {
        let doc = try JSONDocument(bytes: Array(json.utf8))
        return doc.root.kind == .array ? Array(doc.root.elements) : [doc.root]
    }

    static func records(bytes: [UInt8]) throws -> [JSONValue] {
        let doc = try JSONDocument(bytes: bytes)
        return doc.root.kind == .array ? Array(doc.root.elements) : [doc.root]
    }
}
