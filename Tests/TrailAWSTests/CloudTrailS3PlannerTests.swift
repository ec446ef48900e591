import Foundation
import Testing

@testable import TrailAWS

/// The planner against a loopback S3 that answers listings from an in-memory key set: account and
/// region filters, pruning of year/month/day discovery to the range, digest prefixes never listed.
@Suite struct CloudTrailS3PlannerTests {
    static let accounts = ["111122223333", "444455556666"]
    static let regions = ["us-east-1", "eu-west-1"]
    /// Two days in 2023 and two in 2024 for each account and region, plus a digest per account.
    static let keys: [String] = {
        var keys: [String] = []
        for account in accounts {
            keys.append("t/AWSLogs/o-abcdef1234/\(account)/CloudTrail-Digest/us-east-1/2024/06/03/\(account)_digest.json.gz")
            for region in regions {
                for day in ["2023/12/31", "2024/01/01", "2024/06/03", "2024/06/04"] {
                    let stamp = day.replacingOccurrences(of: "/", with: "")
                    keys.append("t/AWSLogs/o-abcdef1234/\(account)/CloudTrail/\(region)/\(day)/\(account)_CloudTrail_\(region)_\(stamp)T0000Z_a.json.gz")
                }
            }
        }
        return keys
    }()

    /// A ListObjectsV2 answer for `uri` over `keys`.
    static func answer(_ uri: String) -> CannedResponse {
        let query = URLComponents(string: "http://x" + uri)?.queryItems ?? []
        let prefix = query.first { $0.name == "prefix" }?.value ?? ""
        let delimiter = query.first { $0.name == "delimiter" }?.value
        var contents: [String] = []
        var prefixes = Set<String>()
        for key in keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let delimiter, let cut = rest.range(of: delimiter) {
                prefixes.insert(prefix + rest[..<cut.upperBound])
            } else {
                contents.append(key)
            }
        }
        var xml = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
        for key in contents {
            xml += "<Contents><Key>\(URIEncoding.encode(key, keepSlash: true))</Key><Size>10</Size><ETag>\"e\"</ETag></Contents>"
        }
        for prefix in prefixes.sorted() { xml += "<CommonPrefixes><Prefix>\(prefix)</Prefix></CommonPrefixes>" }
        return .text(200, xml + "</ListBucketResult>")
    }

    func planner(_ server: LoopbackServer) throws -> CloudTrailS3Planner {
        let credentials = CredentialChain(
            providers: [EnvironmentCredentialProvider(environment: AWSEnvironment(
                variables: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"], home: nil))],
            now: { Date() })
        let client = S3Client(transport: testTransport, credentials: credentials, region: "us-east-1",
                              endpoint: try Endpoint(server.url, what: "test"))
        return CloudTrailS3Planner(client: client, now: { Date(timeIntervalSince1970: 1_780_000_000) })
    }

    static func listedPrefixes(_ server: LoopbackServer) -> [String] {
        server.requests.compactMap { request in
            URLComponents(string: "http://x" + request.uri)?.queryItems?.first { $0.name == "prefix" }?.value
        }
    }

    @Test func wholeBucketWithoutRangeFindsEveryLogAndNoDigest() async throws {
        let server = try await LoopbackServer { Self.answer($0.uri) }
        defer { Task { await server.close() } }
        let plan = try await planner(server).plan(S3Location(bucket: "bucket", prefix: "t"))
        #expect(plan.problems.isEmpty)
        #expect(Set(plan.objects.map(\.key)) == Set(Self.keys.filter { !$0.contains("Digest") }))
        #expect(!Self.listedPrefixes(server).contains { $0.contains("Digest") || $0.isEmpty })
    }

    @Test func filtersAndALongRangeDiscoverAndPrune() async throws {
        let server = try await LoopbackServer { Self.answer($0.uri) }
        defer { Task { await server.close() } }
        var planner = try planner(server)
        planner.accounts = ["444455556666"]
        planner.regions = ["eu-west-1"]
        // Since 2022: more than 400 days to "now", so years, months and days are discovered.
        planner.since = ISO8601DateFormatter().date(from: "2022-01-01T00:00:00Z")
        planner.until = ISO8601DateFormatter().date(from: "2024-01-01T12:00:00Z")
        let plan = try await planner.plan(S3Location(bucket: "bucket", prefix: "t/"))
        #expect(plan.objects.map(\.key).sorted() == Self.keys.filter {
            $0.contains("444455556666/CloudTrail/eu-west-1/") && ($0.contains("/2023/12/31/") || $0.contains("/2024/01/01/"))
        }.sorted())
        let listed = Self.listedPrefixes(server)
        #expect(!listed.contains { $0.contains("111122223333/") }, "filtered account listed: \(listed)")
        #expect(!listed.contains { $0.contains("/us-east-1/") }, "filtered region listed: \(listed)")
        #expect(!listed.contains { $0.hasSuffix("/2024/06/") }, "a month outside the range listed: \(listed)")
    }

    @Test func shortRangeEnumeratesDays() async throws {
        let server = try await LoopbackServer { Self.answer($0.uri) }
        defer { Task { await server.close() } }
        var planner = try planner(server)
        planner.since = ISO8601DateFormatter().date(from: "2024-06-04T00:00:00Z")
        planner.until = ISO8601DateFormatter().date(from: "2024-06-05T00:00:00Z")
        let plan = try await planner.plan(S3Location(bucket: "bucket", prefix: "t"))
        #expect(plan.objects.count == 2 * 2)
        let dayListings = Self.listedPrefixes(server).filter { $0.contains("/2024/") }
        #expect(Set(dayListings.map { String($0.suffix(11)) }) == ["2024/06/04/", "2024/06/05/"])
        #expect(dayListings.count == 2 * 2 * 2)
    }

    @Test func accessDeniedOnOnePrefixIsRecordedAndTheRestListed() async throws {
        let server = try await LoopbackServer { request in
            if request.uri.contains("111122223333") {
                return .text(403, "<Error><Code>AccessDenied</Code></Error>")
            }
            return Self.answer(request.uri)
        }
        defer { Task { await server.close() } }
        let plan = try await planner(server).plan(S3Location(bucket: "bucket", prefix: "t"))
        #expect(plan.problems.count == 1)
        #expect(plan.problems.first?.description.contains("s3://bucket/t/AWSLogs/o-abcdef1234/111122223333/CloudTrail/") == true)
        #expect(plan.objects.count == 2 * 4)
        #expect(plan.objects.allSatisfy { $0.key.contains("444455556666") })
    }
}
