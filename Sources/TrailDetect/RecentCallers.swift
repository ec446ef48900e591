/// The callers of one first-seen key (a secret, under each of its aliases) with the newest time
/// each was seen under any of them, kept so that "how many callers within `forget` of now" is a
/// binary search, not a walk through every caller for every new one (20,000 new callers of one
/// secret were 20,000 walks through up to 20,000 callers: 35 s).
struct RecentCallers {
    /// Each caller's newest time under any alias.
    private var newest: [String: Int64] = [:]
    /// The values of `newest`, sorted.
    private var times: [Int64] = []

    /// The callers of `aliases` in `pairs` (alias → caller → last time).
    init(aliases: [String], pairs: [String: [String: Int64]]) {
        for alias in aliases {
            for (caller, t) in pairs[alias] ?? [:] where newest[caller].map({ t > $0 }) ?? true {
                newest[caller] = t
            }
        }
        times = newest.values.sorted()
    }

    /// `caller` was seen at `t` under one of the aliases (a caller's time only moves forward).
    mutating func saw(_ caller: String, at t: Int64) {
        if let old = newest[caller] {
            guard t > old else { return }
            times.remove(at: Self.lowerBound(times, old))
        }
        newest[caller] = t
        times.insert(t, at: Self.lowerBound(times, t))
    }

    /// The callers other than `caller` seen at or after `cutoff`.
    func count(since cutoff: Int64, besides caller: String) -> Int {
        let recent = times.count - Self.lowerBound(times, cutoff)
        return newest[caller].map { $0 >= cutoff } == true ? recent - 1 : recent
    }

    private static func lowerBound(_ times: [Int64], _ t: Int64) -> Int {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
