import Testing
import TrailPipeline

@Suite struct ShardTests {
    static func path(_ account: String, org: Bool = false) -> String {
        "/data/AWSLogs/\(org ? "o-abc123def4/" : "")\(account)/CloudTrail/us-east-1/2024/05/01/\(account)_CloudTrail_us-east-1_20240501T0000Z_x.json.gz"
    }

    @Test func fnv1aMatchesTheReferenceVectors() {
        #expect(Shard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    /// Fixed values (computed apart, with Python): the assignment must never change between builds,
    /// processes or hosts, or workers of one deployment would disagree.
    @Test(arguments: [
        ("111111111111", [2, 1, 4, 674]),
        ("222222222222", [2, 1, 2, 358]),
        ("123456789012", [2, 3, 7, 328]),
        ("428471960213", [1, 1, 5, 579]),
        ("000000000000", [2, 2, 4, 982]),
    ])
    func assignmentIsStable(account: String, expected: [Int]) {
        let counts = [2, 3, 7, 1024]
        #expect(counts.map { Shard.shard(of: Self.path(account), count: $0) } == expected)
        #expect(counts.map { Shard.shard(of: Self.path(account, org: true), count: $0) } == expected)
        #expect(Shard.shard(of: Self.path(account), count: 1) == 1)
    }

    @Test func digestAndInsightFilesGoWithTheirAccountsLogs() {
        for kind in ["CloudTrail-Digest", "CloudTrail-Insight"] {
            let path = "/data/AWSLogs/o-abc123def4/123456789012/\(kind)/us-east-1/2024/05/01/f.json.gz"
            #expect([2, 3, 7, 1024].map { Shard.shard(of: path, count: $0) } == [2, 3, 7, 328])
        }
    }

    @Test(arguments: ["/tmp/export.jsonl", "lookup-events.json", "/data/AWSLogs/111111111111/Config/x.json.gz", "AWSLogs/111111111111"])
    func pathsOutsideTheLayoutGoToShardOne(path: String) {
        for n in [2, 3, 1024] { #expect(Shard.shard(of: path, count: n) == 1) }
    }

    @Test func everyFileBelongsToExactlyOneShard() throws {
        var paths: [String] = []
        for a in 0..<200 {
            let account = String(100_000_000_000 + a * 7_919)
            paths.append(Self.path(account))
            paths.append(Self.path(account, org: true))
        }
        paths += ["/x/other.json", "s3://bucket/AWSLogs/999999999999/CloudTrail/eu-west-1/2024/01/01/f.json.gz"]
        for n in [1, 2, 3, 5, 16] {
            let shards = try (1...n).map { k throws(PipelineError) in try Shard(parsing: "\(k)/\(n)") }
            for path in paths {
                #expect(shards.filter { $0.contains(path: path) }.count == 1, "\(path) with N=\(n)")
            }
            // And the shards are not all empty but one: the hash spreads 200 accounts.
            if n > 1 { #expect(shards.allSatisfy { shard in paths.contains { shard.contains(path: $0) } }) }
        }
    }

    @Test(arguments: ["1/1", "1/3", "3/3", "1024/1024", "07/10"])
    func validShards(text: String) throws {
        let shard = try Shard(parsing: text)
        #expect(shard.index >= 1 && shard.index <= shard.count)
    }

    @Test(arguments: [
        ("0/3", "K must be between 1 and N"), ("4/3", "K must be between 1 and N"), ("1/0", "N must be between 1 and 1024"),
        ("1/1025", "N must be between 1 and 1024"), ("1", "must be K/N"), ("1/2/3", "must be K/N"), ("-1/2", "must be K/N"),
        ("a/b", "must be K/N"), ("", "must be K/N"), (" 1/2", "must be K/N"), ("99999999999999999999/2", "must be K/N"),
    ])
    func invalidShards(text: String, message: String) {
        #expect {
            _ = try Shard(parsing: text)
        } throws: { error in
            (error as? PipelineError)?.code == .usage && "\(error)".contains(message) && "\(error)".contains("--shard")
        }
    }
}
