/// `--shard K/N`: this worker's fixed share of the files, by recipient account.
///
/// A file belongs to shard K when the FNV-1a 64-bit hash of its recipient account id (from the
/// CloudTrail key layout `AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/…`) modulo N is K − 1. The
/// hash is stable across processes, hosts and versions (unlike Swift's randomly seeded `Hasher`),
/// so every worker of a deployment agrees. An account's digest and Insight files
/// (`CloudTrail-Digest`, `CloudTrail-Insight`) go with its log files. Files whose path does not
/// follow the layout (exports, single files) all go to shard 1.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// K, from 1.
    public let index: Int
    /// N, the number of shards (1 to ``maxCount``).
    public let count: Int

    /// The largest N accepted.
    public static let maxCount = 1024

    /// `K/N` with 1 ≤ K ≤ N ≤ 1024; throws a message naming the problem otherwise.
    public init(parsing text: String) throws(PipelineError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Self.number(parts[0]), let n = Self.number(parts[1]) else {
            throw PipelineError(.usage, "--shard must be K/N, such as 1/3 (got \(text.debugDescription))")
        }
        guard (1...Self.maxCount).contains(n) else {
            throw PipelineError(.usage, "--shard \(text): N must be between 1 and \(Self.maxCount)")
        }
        guard (1...n).contains(k) else {
            throw PipelineError(.usage, "--shard \(text): K must be between 1 and N (\(n))")
        }
        index = k
        count = n
    }

    public init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the file at `path` is this shard's.
    public func contains(path: String) -> Bool {
        Self.shard(of: path, count: count) == index
    }

    /// The shard (1…count) of the file at `path`.
    public static func shard(of path: String, count: Int) -> Int {
        guard count > 1, let account = account(of: path) else { return 1 }
        return Int(fnv1a64(account) % UInt64(count)) + 1
    }

    /// The recipient account of a path in the CloudTrail layout: the segment after `AWSLogs`
    /// (and after an `o-…` organisation id) when the next one is `CloudTrail`, `CloudTrail-Digest`
    /// or `CloudTrail-Insight`, so an account's digest files go with its log files.
    public static func account(of path: String) -> Substring? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let logs = parts.lastIndex(of: "AWSLogs") else { return nil }
        var i = logs + 1
        if i < parts.count, parts[i].hasPrefix("o-") { i += 1 }
        guard i + 2 < parts.count, ["CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight"].contains(parts[i + 1]) else { return nil }
        return parts[i]
    }

    /// FNV-1a, 64 bits, over the UTF-8 bytes of `text`.
    public static func fnv1a64(_ text: some StringProtocol) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Decimal digits only (no sign, no spaces), at most 4 of them.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 4, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}
