import TrailJSON
import TrailModel

/// First-seen: a `value` (usually a principal) appearing for a `key` (usually a secret) for the
/// first time, once the key's history is longer than the learning period.
///
/// The key's history starts at the earliest event of any kind that names it (every event is
/// observed, matched or not). Pairs are learned from the events the rule's pattern selects; a
/// pair unseen for longer than `forget` counts as new again. State: one entry per key
/// (`first-seen-history:<rule>`) with the history start, one per (key, value) pair
/// (`first-seen:<rule>`) with the pair's last event time. Pairs are dropped once they are older
/// than the key's newest pair by `forget` + lateness: no event can arrive that they would still cover.
final class FirstSeenDetector {
    let rule: String
    let config: FirstSeenConfig
    let lateness: EventTime.Duration
    private(set) var history: [String: Int64] = [:]
    private(set) var pairs: [String: [String: Int64]] = [:]
    private var dirtyHistory: Set<String> = []
    private var touchedKeys: Set<String> = []
    private var dirtyPairs: Set<String> = []
    private var removedPairs: Set<String> = []

    var historyNamespace: String { "first-seen-history:\(rule)" }
    var pairNamespace: String { "first-seen:\(rule)" }
    static let separator: Character = "\u{1E}"
    /// How far a pair's last time must advance before it is updated (1 hour).
    static let granularity: Int64 = 3_600_000

    private let cache = SecretKeyCache()
    private let onlySecretKey: Bool
    /// Recent callers by alias list, built when a new caller is first counted and kept in step
    /// with `pairs`; dropped when a pair of one of their aliases is.
    private var callerCounts: [[String]: RecentCallers] = [:]
    /// The alias lists of `callerCounts` each alias is part of.
    private var countedLists: [String: Set<[String]>] = [:]

    init(rule: String, config: FirstSeenConfig, lateness: EventTime.Duration) {
        self.rule = rule
        self.config = config
        self.lateness = lateness
        self.onlySecretKey = config.key == [.secret]
    }

    /// The event's keys, each with its aliases: the first tuple is the key itself, the others
    /// are the same key under another reading of an ambiguous secret ARN.
    ///
    /// `…:secret:app/stripe-webhook-secret` may be a partial ARN (name `app/stripe-webhook-secret`)
    /// or a full one (name `app/stripe-webhook`, suffix `secret`); before the secret's real ARN is
    /// known the normaliser has to guess. Learning and looking up pairs under both readings keeps
    /// one baseline whichever way the guess went.
    func keys(of e: AuditEvent) -> [[String]] {
        if onlySecretKey {
            // The usual `"key": ["secret"]`, without building combinations.
            if e.secrets.count == 1 {
                let s = e.secrets[0]
                let key = cache.key(s)
                return [s.isFullARN && s.id != key ? [key, s.id] : [key]]
            }
        }
        let lists: [[[String]]] = config.key.map { field in
            guard field == .secret else { return field.values(in: e).map { [$0] } }
            var out: [[String]] = []
            var seen = Set<String>()
            for s in e.secrets {
                let key = cache.key(s)
                guard seen.insert(key).inserted else { continue }
                out.append(s.isFullARN && s.id != key ? [key, s.id] : [key])
            }
            return out
        }
        return StateValue.combinations(lists.map { $0.indices.map(String.init) }).map { picks in
            // picks[i] indexes the i-th field's value; expand that value's aliases.
            let aliasLists = picks.enumerated().map { i, p in lists[i][Int(p) ?? 0] }
            return StateValue.combinations(aliasLists).map(StateValue.join)
        }
    }

    /// Notes the event in the keys' histories (called for every event, matched or not).
    func observe(_ e: AuditEvent) {
        let t = e.eventTime.milliseconds
        if onlySecretKey && e.secrets.count == 1 {
            // The usual case, as `keys(of:)` gives it, without building the arrays.
            let s = e.secrets[0]
            let key = cache.key(s)
            note(key, t)
            if s.isFullARN && s.id != key { note(s.id, t) }
            return
        }
        for aliases in keys(of: e) {
            for k in aliases { note(k, t) }
        }
    }

    private func note(_ k: String, _ t: Int64) {
        if let h = history[k], h <= t { return }
        history[k] = t
        dirtyHistory.insert(k)
    }

    /// Checks a matched event against the baseline, then learns it.
    func evaluate(_ e: AuditEvent) -> Finding? {
        let t = e.eventTime.milliseconds
        var newPairs: [(key: String, value: String, since: Int64, callers: Int)] = []
        for aliases in keys(of: e) {
            guard let k = aliases.first else { continue }
            // Without the arrays `compactMap` would build: this runs for every matched event.
            var earliest: Int64?
            for a in aliases { if let h = history[a], h < earliest ?? Int64.max { earliest = h } }
            let since = earliest ?? t
            for v in cache.values(config.value, in: e) {
                var last: Int64?
                for a in aliases { if let l = pairs[a]?[v], l > last ?? Int64.min { last = l } }
                let isNew = last.map { t - $0 > config.forget.milliseconds } ?? true
                if isNew, t - since > config.learning.milliseconds {
                    let callers = recentCallers(of: aliases).count(since: t - config.forget.milliseconds, besides: v)
                    newPairs.append((k, v, since, callers))
                }
                // A pair's last time moves in steps of `granularity` so that a principal reading a
                // secret all day changes its state entry once an hour, not on every file.
                for a in aliases {
                    // One alias (the usual case): its pair's time is `last`, just looked up.
                    let current = aliases.count == 1 ? last : pairs[a]?[v]
                    guard current.map({ t - $0 >= Self.granularity || isNew }) ?? true else { continue }
                    pairs[a, default: [:]][v] = t
                    for list in countedLists[a] ?? [] { callerCounts[list]?.saw(v, at: t) }
                    touchedKeys.insert(a)
                    let pairKey = a + String(Self.separator) + v
                    dirtyPairs.insert(pairKey)
                    removedPairs.remove(pairKey)
                }
            }
        }
        guard let first = newPairs.first else { return nil }
        let valueField = config.value
        let valueText = valueField.display(first.value, in: e)
        let keyParts = first.key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        let keyText = zip(config.key, keyParts).map { field, part in
            field == .secret || field == .secretName ? "secret \(field.display(part, in: e))" : "\(field.rawValue) \(field.display(part, in: e))"
        }.joined(separator: ", ")
        let since = EventTime(milliseconds: first.since)
        let subject = valueField == .principal ? Phrase.who(e.principal) : "\(valueField.rawValue) \(valueText)"
        let verb = (e.eventName == "GetSecretValue" || e.eventName == "BatchGetSecretValue") ? "read" : "called \(e.eventName) on"
        let keyNoun = config.key.first == .secret || config.key.first == .secretName ? "secret" : config.key.map(\.rawValue).joined(separator: "/")
        let usual = valueField == .principal ? "usual caller" : "usual \(valueField.rawValue)"
        var summary = "\(subject) \(verb) \(keyText) for the first time (\(keyNoun) known since \(since.dateString); \(first.callers) \(usual)\(first.callers == 1 ? "" : "s"))"
        if newPairs.count > 1 { summary += " and \(newPairs.count - 1) more new" }
        var evidence: [EvidenceItem] = [
            EvidenceItem("historySince", .string(since.iso8601)),
            EvidenceItem("knownCallers", .integer(Int64(first.callers))),
            EvidenceItem("learning", .string(ISODuration.format(config.learning))),
            EvidenceItem("forget", .string(ISODuration.format(config.forget))),
        ]
        if newPairs.count > 1 {
            evidence.append(EvidenceItem("newKeys", .strings(newPairs.map { pairDisplay($0.key, e) })))
        }
        var secret: SecretRef? = nil
        if let i = config.key.firstIndex(of: .secret), i < keyParts.count {
            secret = e.secrets.first { SecretNames.key($0) == keyParts[i] }
        }
        return Finding(severity: nil, summary: summary, evidence: evidence, secret: secret)
    }

    /// The recent callers of `aliases`, built from `pairs` the first time they are asked for.
    private func recentCallers(of aliases: [String]) -> RecentCallers {
        if let known = callerCounts[aliases] { return known }
        let built = RecentCallers(aliases: aliases, pairs: pairs)
        callerCounts[aliases] = built
        for a in aliases { countedLists[a, default: []].insert(aliases) }
        return built
    }

    /// Forgets the recent callers counted under `alias` (a pair of it was dropped).
    private func forgetCallers(of alias: String) {
        guard let lists = countedLists[alias] else { return }
        for list in lists {
            callerCounts[list] = nil
            for a in list {
                countedLists[a]?.remove(list)
                if countedLists[a]?.isEmpty == true { countedLists[a] = nil }
            }
        }
    }

    private func pairDisplay(_ key: String, _ e: AuditEvent) -> String {
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        return zip(config.key, parts).map { $0.display($1, in: e) }.joined(separator: " ")
    }

    /// Drops pairs that can no longer matter, for the keys touched since the last call.
    func expire() {
        for k in touchedKeys {
            guard var known = pairs[k], let newest = known.values.max() else { continue }
            let cutoff = newest - config.forget.milliseconds - lateness.milliseconds
            var dropped = false
            for (v, last) in known where last < cutoff {
                known[v] = nil
                dropped = true
                let pairKey = k + String(Self.separator) + v
                removedPairs.insert(pairKey)
                dirtyPairs.remove(pairKey)
            }
            if dropped { forgetCallers(of: k) }
            pairs[k] = known
        }
        touchedKeys.removeAll()
    }

    func restore(namespace: String, key: String, value: JSONValue) {
        guard let t = value["t"]?.int64 else { return }
        if !callerCounts.isEmpty {
            callerCounts = [:]
            countedLists = [:]
        }
        if namespace == historyNamespace {
            history[key] = t
        } else if namespace == pairNamespace, let sep = key.lastIndex(of: Self.separator) {
            let k = String(key[..<sep]), v = String(key[key.index(after: sep)...])
            pairs[k, default: [:]][v] = t
        }
    }

    func changes() -> [DetectorStateEntry] {
        var out: [DetectorStateEntry] = []
        for k in dirtyHistory.sorted() {
            if let t = history[k] { out.append(DetectorStateEntry(namespace: historyNamespace, key: k, value: "{\"t\":\(t)}")) }
        }
        for pairKey in dirtyPairs.sorted() {
            guard let sep = pairKey.lastIndex(of: Self.separator) else { continue }
            let k = String(pairKey[..<sep]), v = String(pairKey[pairKey.index(after: sep)...])
            if let t = pairs[k]?[v] { out.append(DetectorStateEntry(namespace: pairNamespace, key: pairKey, value: "{\"t\":\(t)}")) }
        }
        for pairKey in removedPairs.sorted() {
            out.append(DetectorStateEntry(namespace: pairNamespace, key: pairKey, value: nil))
        }
        dirtyHistory.removeAll()
        dirtyPairs.removeAll()
        removedPairs.removeAll()
        return out
    }
}
