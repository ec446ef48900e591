import TrailModel

/// What a CloudTrail object's path says: its kind (log, digest, digest signature sidecar), its
/// account and region, its delivery stamp, and its S3 key as digests name it.
///
/// Keys are compared from the `AWSLogs/` component on, so a tree copied under any local
/// directory, and a trail with an S3 key prefix, match the keys that digests record.
public struct TrailObjectName: Sendable, Hashable {
    /// The kinds of object verification cares about.
    public enum Kind: Sendable, Hashable {
        /// `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`
        case log
        /// `<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>.json.gz`
        case digest
        /// `<digest name>.metadata.json`: the S3 object metadata that holds a digest's signature.
        case signatureSidecar
    }

    public var kind: Kind
    /// The key from `AWSLogs/` on (for a sidecar: the key of its digest).
    public var key: String
    public var account: String
    public var region: String
    /// For digests: the trail name and its home region (one chain each per account and region).
    public var trail: String?
    public var homeRegion: String?
    /// The delivery time from the name.
    public var delivered: EventTime?

    /// Classifies a local path or an S3 key; nil for anything else (Insight files, manifests).
    public static func parse(_ path: String) -> TrailObjectName? {
        let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        var name = base
        var kind: Kind
        if name.hasSuffix(".json.gz.metadata.json") {
            name.removeLast(".metadata.json".count)
            kind = .signatureSidecar
        } else if name.hasSuffix(".json.gz") {
            kind = .log
        } else {
            return nil
        }
        name.removeLast(".json.gz".count)
        let parts = name.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5 else { return nil }
        let account = parts[0]
        let region = parts[2]
        var trail: String?
        var homeRegion: String?
        switch parts[1] {
        case "CloudTrail":
            guard kind == .log else { return nil }
        case "CloudTrail-Digest":
            guard parts.count >= 6 else { return nil }
            if kind == .log { kind = .digest }
            trail = parts[3..<(parts.count - 2)].joined(separator: "_")
            homeRegion = parts[parts.count - 2]
        default:
            return nil
        }
        guard !account.isEmpty, !region.isEmpty else { return nil }
        var key = keyFromAWSLogs(path)
        if kind == .signatureSidecar { key.removeLast(".metadata.json".count) }
        let stampPart = kind == .log ? parts[3] : parts[parts.count - 1]
        return TrailObjectName(
            kind: kind, key: key, account: account, region: region, trail: trail, homeRegion: homeRegion,
            delivered: stamp(stampPart))
    }

    /// The part of `path` from its first `AWSLogs/` component on; the whole path when it has none.
    public static func keyFromAWSLogs(_ path: String) -> String {
        if path.hasPrefix("AWSLogs/") { return path }
        if let range = path.range(of: "/AWSLogs/") {
            return String(path[path.index(after: range.lowerBound)...])
        }
        return path
    }

    /// `20240603T1205Z` or `20240603T120512Z` as a time.
    static func stamp(_ text: String) -> EventTime? {
        let b = Array(text.utf8)
        guard b.count == 14 || b.count == 16, b[8] == UInt8(ascii: "T"), b.last == UInt8(ascii: "Z") else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + count) {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(4, 2), let d = num(6, 2), let h = num(9, 2), let mi = num(11, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60 else { return nil }
        let s = b.count == 16 ? (num(13, 2) ?? 0) : 0
        let days = CivilDate.toDays(year: y, month: mo, day: d)
        return EventTime(seconds: days * 86400 + h * 3600 + mi * 60 + s)
    }
}
