import Foundation

/// CloudTrail's key layout in S3:
/// `[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE`.
public enum CloudTrailLayout {
    /// `PREFIX/AWSLogs/` for a user prefix (empty, with or without a trailing `/`).
    public static func logsRoot(prefix: String) -> String {
        var base = prefix
        while base.hasSuffix("/") { base.removeLast() }
        return base.isEmpty ? "AWSLogs/" : base + "/AWSLogs/"
    }

    /// True for a 12-digit account id.
    public static func isAccount(_ text: some StringProtocol) -> Bool {
        text.count == 12 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// True for a region name: 1 to 32 lower-case letters, digits and hyphens (`us-east-1`,
    /// `us-gov-west-1`).
    public static func isRegion(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.count <= 32 && text.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
        }
    }

    /// True for an organization id segment (`o-` and 10 to 32 lower-case letters or digits).
    public static func isOrganization(_ text: some StringProtocol) -> Bool {
        text.hasPrefix("o-") && (12...34).contains(text.count)
            && text.utf8.dropFirst(2).allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    /// The last path segment of a common prefix (`a/b/c/` → `c`).
    public static func lastSegment(_ prefix: String) -> Substring {
        var trimmed = Substring(prefix)
        if trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: "/") { return trimmed[trimmed.index(after: slash)...] }
        return trimmed
    }

    /// The UTC days from `since` to `until`, both included, as `YYYY/MM/DD/`.
    public static func days(from since: Date, to until: Date) -> [String] {
        guard since <= until else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var day = calendar.startOfDay(for: since)
        var out: [String] = []
        while day <= until {
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            out.append(String(format: "%04d/%02d/%02d/", parts.year!, parts.month!, parts.day!))
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return out
    }

    /// `YYYY`, `YYYY/MM` or `YYYY/MM/DD` of a date prefix below a region, as a range of UTC days
    /// (`20240101...20241231` for `2024`), or nil when it is not a date.
    public static func dayRange(_ segments: [Substring]) -> ClosedRange<Int>? {
        let numbers = segments.map { Int($0) }
        guard !numbers.isEmpty, numbers.count <= 3, numbers.allSatisfy({ $0 != nil }) else { return nil }
        let year = numbers[0]!
        guard (1970...9999).contains(year) else { return nil }
        if numbers.count == 1 { return (year * 10000 + 101)...(year * 10000 + 1231) }
        let month = numbers[1]!
        guard (1...12).contains(month) else { return nil }
        if numbers.count == 2 { return (year * 10000 + month * 100 + 1)...(year * 10000 + month * 100 + 31) }
        let day = numbers[2]!
        guard (1...31).contains(day) else { return nil }
        let value = year * 10000 + month * 100 + day
        return value...value
    }

    /// `yyyymmdd` of a UTC date.
    public static func dayNumber(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return parts.year! * 10000 + parts.month! * 100 + parts.day!
    }
}

/// What a key named by a notification is, for a consumer reading `locations`.
public enum S3KeyKind: String, Sendable, Equatable {
    /// A file to read: inside one of the locations, not a digest, Insight file or folder marker.
    case log
    /// A CloudTrail digest file (`…/CloudTrail-Digest/…`): not read by ingestion.
    case digest
    /// Outside every location, an Insight file, or a folder marker: nothing to read.
    case unknown

    /// Classifies `bucket`/`key` against the `s3://` locations being read. Only keys in
    /// CloudTrail's layout, `[PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME`,
    /// are logs (`CloudTrail-Digest` there: digests); anything else — another file under the
    /// prefix, an empty, `.` or `..` segment (also once percent-decoded, which a normalising
    /// S3-compatible store might resolve to another path) — is unknown and never fetched.
    public static func classify(bucket: String, key: String, locations: [S3Location]) -> S3KeyKind {
        for location in locations where location.bucket == bucket {
            let root = CloudTrailLayout.logsRoot(prefix: location.prefix)
            guard key.hasPrefix(root) else { continue }
            let kind = classify(belowRoot: key.dropFirst(root.count))
            if kind != .unknown, !hasUnsafeSegment(key) { return kind }
        }
        return .unknown
    }

    /// `[o-ORG/]ACCOUNT/KIND/REGION/YYYY/MM/DD/NAME` below `AWSLogs/`.
    private static func classify(belowRoot rest: Substring) -> S3KeyKind {
        var segments = rest.split(separator: "/", omittingEmptySubsequences: false)[...]
        if let first = segments.first, CloudTrailLayout.isOrganization(first) { segments = segments.dropFirst() }
        guard segments.count == 7 else { return .unknown }
        let parts = Array(segments)
        guard CloudTrailLayout.isAccount(parts[0]), CloudTrailLayout.isRegion(parts[2]),
              parts[3].count == 4, parts[4].count == 2, parts[5].count == 2,
              CloudTrailLayout.dayRange(Array(parts[3...5])) != nil, !parts[6].isEmpty else { return .unknown }
        switch parts[1] {
        case "CloudTrail": return .log
        case "CloudTrail-Digest": return .digest
        default: return .unknown
        }
    }

    /// True when a segment of `key`, as is or percent-decoded, is empty, `.` or `..`, or the
    /// decoded key has a segment boundary (`%2F`) or a backslash the raw key does not.
    static func hasUnsafeSegment(_ key: String) -> Bool {
        for form in [key, key.removingPercentEncoding ?? key] {
            if form.contains("\\") { return true }
            for segment in form.split(separator: "/", omittingEmptySubsequences: false) where segment.isEmpty || segment == "." || segment == ".." {
                return true
            }
        }
        if let decoded = key.removingPercentEncoding,
           decoded.split(separator: "/", omittingEmptySubsequences: false).count != key.split(separator: "/", omittingEmptySubsequences: false).count {
            return true
        }
        return false
    }
}
