/// What a file's name says: whether it is a temporary name a sync tool writes before renaming
/// the file into place, and the CloudTrail delivery stamp it carries.
public enum LogFileName {
    /// True for names that sync tools and editors use while a file is incomplete, which must be
    /// ignored until the file is renamed:
    /// - dot-files, including rsync's `.name.json.gz.XXXXXX`;
    /// - `*.tmp`, `*.temp`, `*.part`, `*.partial`, `*.filepart`, `*.crdownload`, `*.download`,
    ///   `*.swp`, and names ending in `~`;
    /// - the AWS CLI's download names `name.json.gz.1a2B3c4D` (4 to 8 letters or digits appended
    ///   to a `.gz`, `.json`, `.jsonl` or `.ndjson` name).
    public static func isTemporary(_ name: some StringProtocol) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return true }
        if first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: "~") { return true }
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        let ext = String(decoding: bytes[(dot + 1)...], as: UTF8.self).lowercased()
        if temporaryExtensions.contains(ext) { return true }
        // AWS CLI: the final name plus "." and random alphanumerics.
        guard (4...8).contains(ext.utf8.count), !realExtensions.contains(ext),
            ext.utf8.allSatisfy({ isASCIIAlphanumeric($0) })
        else { return false }
        let stem = String(decoding: bytes[..<dot], as: UTF8.self).lowercased()
        return stem.hasSuffix(".gz") || stem.hasSuffix(".json") || stem.hasSuffix(".jsonl") || stem.hasSuffix(".ndjson")
    }

    /// The delivery stamp in a CloudTrail file name as the number `YYYYMMDDHHmmss`:
    /// `..._20240603T1205Z_...` (log files, minute precision: seconds are 00) or
    /// `..._20240603T120512Z.json.gz` (digest files). Nil when the name has no stamp.
    public static func deliveryStamp(_ name: some StringProtocol) -> UInt64? {
        let bytes = Array(name.utf8)
        var i = 0
        while i + 14 <= bytes.count {
            if bytes[i] == UInt8(ascii: "_"), let stamp = stamp(in: bytes, at: i + 1) { return stamp }
            i += 1
        }
        return nil
    }

    /// True for the name of a CloudTrail log file as CloudTrail delivers it:
    /// `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz`. (Digest files,
    /// `…_CloudTrail-Digest_…`, do not match.) Such a file is never legitimately empty.
    public static func isCloudTrailLog(_ name: some StringProtocol) -> Bool {
        let bytes = Array(name.utf8)
        let marker = Array("_CloudTrail_".utf8)
        let suffix = Array(".json.gz".utf8)
        guard bytes.count > marker.count + suffix.count, bytes.suffix(suffix.count).elementsEqual(suffix),
              let first = bytes.first, first >= 0x30 && first <= 0x39
        else { return false }
        var i = 0
        while i + marker.count <= bytes.count {
            if bytes[i..<(i + marker.count)].elementsEqual(marker) {
                return deliveryStamp(String(decoding: bytes[(i + marker.count - 1)...], as: UTF8.self)) != nil
            }
            i += 1
        }
        return false
    }

    /// The last path component of `path`.
    public static func baseName(_ path: String) -> Substring {
        guard let slash = path.lastIndex(of: "/") else { return Substring(path) }
        return path[path.index(after: slash)...]
    }

    private static let temporaryExtensions: Set<String> = [
        "tmp", "temp", "part", "partial", "filepart", "crdownload", "download", "swp",
    ]
    private static let realExtensions: Set<String> = ["json", "jsonl", "ndjson", "gzip", "log", "txt"]

    private static func isASCIIAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// Parses `YYYYMMDDTHHmmZ` or `YYYYMMDDTHHmmssZ` at `start`.
    private static func stamp(in bytes: [UInt8], at start: Int) -> UInt64? {
        var value: UInt64 = 0
        var i = start
        func digits(_ n: Int) -> Bool {
            guard i + n <= bytes.count else { return false }
            for _ in 0..<n {
                let d = bytes[i] &- 0x30
                guard d <= 9 else { return false }
                value = value * 10 + UInt64(d)
                i += 1
            }
            return true
        }
        guard digits(8), i < bytes.count, bytes[i] == UInt8(ascii: "T") else { return nil }
        i += 1
        guard digits(4), i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "Z") { return value * 100 }
        guard digits(2), i < bytes.count, bytes[i] == UInt8(ascii: "Z") else { return nil }
        return value
    }
}
