import TrailJSON
import TrailModel

/// What each trail was last configured to do, learned from the trail events the `trail-change`
/// rules see: the delivery bucket (`CreateTrail`/`UpdateTrail`) and the selector coverage
/// (`PutEventSelectors`), so that a change can be compared with what the trail had.
///
/// Keyed by account and trail name (the part after `trail/` of an ARN). At most `limit` trails
/// are remembered (trail names come from records; a flood of made-up names cannot grow it without
/// bound). State: `trail-config`, one entry per trail.
final class TrailHistory {
    static let namespace = "trail-config"
    let limit = 10_000

    struct Config: Equatable {
        var bucket: String?
        var coverage: SelectorCoverage?
    }

    private(set) var trails: [String: Config] = [:]
    private var dirty: Set<String> = []

    /// `account` + unit separator + the trail's name.
    static func key(account: String, trail: String) -> String { account + "\u{1F}" + trailName(trail) }

    /// `arn:aws:cloudtrail:r:a:trail/name` → `name`; a name stays as it is.
    static func trailName(_ trail: String) -> String {
        if trail.hasPrefix("arn:"), let at = ByteSearch.offsetAfter(ByteSearch.trailMarker, in: trail) { return ByteSearch.suffix(trail, from: at) }
        return trail
    }

    func config(_ key: String) -> Config? { trails[key] }

    func update(_ key: String, _ change: (inout Config) -> Void) {
        guard trails[key] != nil || trails.count < limit else { return }
        var c = trails[key] ?? Config()
        let before = c
        change(&c)
        if c != before {
            trails[key] = c
            dirty.insert(key)
        }
    }

    func restore(key: String, value: JSONValue) {
        var c = Config()
        c.bucket = value["b"]?.string
        if let read = value["r"]?.bool {
            c.coverage = SelectorCoverage(readManagement: read, dataTypes: (value["d"]?.elements.compactMap(\.string) ?? []).sorted())
        }
        trails[key] = c
    }

    func changes() -> [DetectorStateEntry] {
        defer { dirty.removeAll() }
        return dirty.sorted().map { key in
            guard let c = trails[key] else { return DetectorStateEntry(namespace: Self.namespace, key: key, value: nil) }
            var w = JSONWriter()
            w.beginObject()
            if let b = c.bucket { w.key("b"); w.string(b) }
            if let cov = c.coverage {
                w.key("r"); w.bool(cov.readManagement)
                w.key("d"); w.beginArray()
                for t in cov.dataTypes { w.string(t) }
                w.endArray()
            }
            w.endObject()
            return DetectorStateEntry(namespace: Self.namespace, key: key, value: w.text)
        }
    }
}
