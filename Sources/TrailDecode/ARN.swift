/// The six colon-separated parts of an ARN: `arn:partition:service:region:account:resource`
/// (the resource may itself contain colons and slashes).
struct ARN {
    var partition: Substring
    var service: Substring
    var region: Substring
    var account: Substring
    var resource: Substring

    init?(_ text: String) {
        guard text.utf8.count > 6, text.hasPrefix("arn:") else { return nil }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        partition = parts[1]
        service = parts[2]
        region = parts[3]
        account = parts[4]
        resource = parts[5]
    }

    /// The partition of an ARN-looking string (`aws`, `aws-us-gov`, `aws-cn`), or nil.
    static func partition(of text: String) -> Substring? {
        guard text.hasPrefix("arn:") else { return nil }
        let rest = text.utf8.dropFirst(4)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let p = Substring(rest[rest.startIndex..<colon])
        return p.isEmpty ? nil : p
    }

    /// The partition a region belongs to, for records that name no ARN.
    static func partition(forRegion region: String) -> String {
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-isob-") { return "aws-iso-b" }
        if region.hasPrefix("us-iso-") { return "aws-iso" }
        return "aws"
    }
}
