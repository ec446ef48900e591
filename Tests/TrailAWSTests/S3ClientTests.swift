import Foundation
import Synchronization
import TrailSync
import Testing

@testable import TrailAWS

/// The S3 client against a loopback stand-in: listing pages and key decoding, retries of 503
/// SlowDown, 500 and bodies cut short, and errors that name the missing permission.
@Suite struct S3ClientTests {
    /// Retries without sleeping on the real clock; the waits asked for are recorded.
    final class Sleeps: Sendable {
        let waits = Mutex<[Double]>([])
        var policy: RetryPolicy {
            RetryPolicy(maxAttempts: 4, sleep: { [self] seconds in self.waits.locked { $0.append(seconds) } }, random: { 0.5 })
        }
    }

    func client(_ server: LoopbackServer, sleeps: Sleeps = Sleeps()) throws -> S3Client {
        let credentials = CredentialChain(
            providers: [EnvironmentCredentialProvider(environment: AWSEnvironment(
                variables: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"], home: nil))],
            now: { Date() })
        return S3Client(transport: testTransport, credentials: credentials, region: "us-east-1",
                        endpoint: try Endpoint(server.url, what: "test"), retry: sleeps.policy)
    }

    static func listing(keys: [(String, Int)], prefixes: [String] = [], token: String?) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>p/</Prefix><EncodingType>url</EncodingType>"#
        xml += "<IsTruncated>\(token != nil)</IsTruncated>"
        if let token { xml += "<NextContinuationToken>\(token)</NextContinuationToken>" }
        for (key, size) in keys {
            xml += "<Contents><Key>\(key)</Key><Size>\(size)</Size><ETag>&quot;etag-\(size)&quot;</ETag></Contents>"
        }
        for prefix in prefixes { xml += "<CommonPrefixes><Prefix>\(prefix)</Prefix></CommonPrefixes>" }
        return xml + "</ListBucketResult>"
    }

    @Test func listFollowsContinuationAndDecodesKeys() async throws {
        let server = try await LoopbackServer { request in
            if request.uri.contains("continuation-token=next%2Fpage%3D%3D") {
                return .text(200, Self.listing(keys: [("p/c%2Bd+e.json.gz", 3)], token: nil))
            }
            return .text(200, Self.listing(keys: [("p/a%20b.json.gz", 1), ("p/%E1%88%B4", 2)], prefixes: ["p/sub%2F/"], token: "next/page=="))
        }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        let result = try await s3.listAll(bucket: "bucket", prefix: "p/", delimiter: "/")
        #expect(result.objects.map(\.key) == ["p/a b.json.gz", "p/\u{1234}", "p/c+d e.json.gz"])
        #expect(result.objects.map(\.etag) == ["\"etag-1\"", "\"etag-2\"", "\"etag-3\""])
        #expect(result.prefixes == ["p/sub//"])
        let first = try #require(server.requests.first)
        #expect(first.path == "/bucket")
        #expect(first.uri.contains("list-type=2") && first.uri.contains("delimiter=%2F") && first.uri.contains("prefix=p%2F"))
        #expect(first.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
        #expect(first.header("x-amz-content-sha256") == SigV4.emptyPayloadHash)
        #expect(s3.requestCounts.list == 2)
    }

    @Test func slowDownAndServerErrorsAreRetried() async throws {
        let calls = Mutex(0)
        let server = try await LoopbackServer { _ in
            let n = calls.locked { $0 += 1; return $0 }
            switch n {
            case 1: return .text(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>")
            case 2: return .text(500, "<Error><Code>InternalError</Code></Error>")
            default: return .text(200, "hello", headers: [("ETag", "\"e1\"")])
            }
        }
        defer { Task { await server.close() } }
        let sleeps = Sleeps()
        let s3 = try client(server, sleeps: sleeps)
        let content = try await s3.getObject(bucket: "bucket", key: "AWSLogs/a b.json", etag: "\"e1\"", expectedSize: 5, maxBytes: 1 << 20)
        #expect(content.bytes == Array("hello".utf8))
        #expect(server.requests.count == 3)
        #expect(server.requests.allSatisfy { $0.path == "/bucket/AWSLogs/a%20b.json" && $0.header("If-Match") == "\"e1\"" })
        // Full jitter with random() = 0.5: half of 0.2 s, then half of 0.4 s.
        #expect(sleeps.waits.locked { $0 } == [0.1, 0.2])
        #expect(s3.requestCounts.retries == 2)
    }

    @Test func bodyCutShortIsFetchedAgain() async throws {
        let calls = Mutex(0)
        let body = Array(repeating: UInt8(ascii: "x"), count: 100_000)
        let server = try await LoopbackServer { _ in
            let n = calls.locked { $0 += 1; return $0 }
            return CannedResponse(status: 200, headers: [("ETag", "\"e\"")], body: body, truncateTo: n == 1 ? 40_000 : nil)
        }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        let content = try await s3.getObject(bucket: "bucket", key: "k", etag: nil, expectedSize: 100_000, maxBytes: 1 << 20)
        #expect(content.bytes == body)
        #expect(server.requests.count == 2)
    }

    @Test func errorBodyLargerThanTheObjectIsReadAndReported() async throws {
        let xml = #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"#
            + "<Key>" + String(repeating: "k", count: 300) + "</Key></Error>"
        let server = try await LoopbackServer { _ in .text(404, xml) }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        do {
            _ = try await s3.getObject(bucket: "bucket", key: "k", etag: "\"e\"", expectedSize: 35, maxBytes: 35)
            Issue.record("a 404 returned content")
        } catch {
            #expect(error.code == .noSuchKey, "\(error)")
            #expect(!error.description.contains("more than the limit"), "\(error)")
        }
    }

    @Test func refusedConnectionIsDescribedPlainly() async throws {
        let transport = AsyncHTTPTransport(connectTimeout: 2)
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1/b"), maxBodyBytes: 100)
            Issue.record("port 1 answered")
        } catch {
            #expect(error.code == .transport)
            #expect(error.reason.contains("Connection refused"), "\(error)")
            #expect(!error.reason.contains("reset"), "\(error)")
            #expect(error.reason.filter { $0 == "(" }.count == error.reason.filter { $0 == ")" }.count, "\(error)")
        }
        await transport.shutdown()
    }

    @Test func retriesEndWithTheLastReason() async throws {
        let server = try await LoopbackServer { _ in .text(503, "<Error><Code>SlowDown</Code></Error>") }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        do throws(AWSError) {
            _ = try await s3.getObject(bucket: "bucket", key: "k", etag: nil, expectedSize: nil, maxBytes: 1024)
            Issue.record("expected an error")
        } catch {
            #expect(error.serviceCode == "SlowDown")
            #expect(error.description.contains("after 4 attempts"))
        }
        #expect(server.requests.count == 4)
    }

    @Test func accessDeniedNamesThePermissionAndIsNotRetried() async throws {
        let server = try await LoopbackServer { _ in .text(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>") }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        do throws(AWSError) {
            _ = try await s3.listObjects(bucket: "bucket", prefix: "AWSLogs/1/", delimiter: "/", continuationToken: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .accessDenied)
            #expect(error.description.contains("s3:ListBucket"))
            #expect(error.description.contains("s3://bucket/AWSLogs/1/"))
        }
        #expect(server.requests.count == 1)
    }

    @Test func missingBucket() async throws {
        let server = try await LoopbackServer { _ in .text(404, "<Error><Code>NoSuchBucket</Code></Error>") }
        defer { Task { await server.close() } }
        let s3 = try client(server)
        do throws(AWSError) {
            _ = try await s3.listObjects(bucket: "nobucket", prefix: "", delimiter: "/", continuationToken: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noSuchBucket)
        }
    }

    /// Answers every request with a redirect naming `bucketRegion`, and records where each went.
    final class RegionRedirects: HTTPTransport {
        let bucketRegion: String
        let urls = Mutex<[String]>([])
        init(bucketRegion: String) { self.bucketRegion = bucketRegion }
        func send(_ request: HTTPRequest, maxBodyBytes: Int) async throws(AWSError) -> HTTPResponse {
            urls.locked { $0.append(request.url) }
            return HTTPResponse(status: 301, headers: [("x-amz-bucket-region", bucketRegion)],
                                body: Array("<Error><Code>PermanentRedirect</Code></Error>".utf8))
        }
    }

    /// `x-amz-bucket-region` becomes part of a host name: a region is followed there, anything else
    /// (a host and path, say) is not, so signed requests never go to a host it names.
    @Test func bucketRegionHeaderIsFollowedOnlyWhenItIsARegion() async throws {
        let credentials = CredentialChain(
            providers: [EnvironmentCredentialProvider(environment: AWSEnvironment(
                variables: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"], home: nil))],
            now: { Date() })
        for (header, hosts) in [("eu-west-1", ["b.s3.us-east-1.amazonaws.com", "b.s3.eu-west-1.amazonaws.com"]),
                                ("evil.example/x?", ["b.s3.us-east-1.amazonaws.com"])] {
            let transport = RegionRedirects(bucketRegion: header)
            let s3 = S3Client(transport: transport, credentials: credentials, region: "us-east-1", endpoint: nil,
                              retry: Sleeps().policy)
            await #expect(throws: AWSError.self) {
                _ = try await s3.listObjects(bucket: "b", prefix: "", delimiter: "/", continuationToken: nil)
            }
            let seen = Set(transport.urls.locked { $0 }.compactMap { URL(string: $0)?.host })
            #expect(seen == Set(hosts), "\(header)")
        }
    }

    @Test func endpointPortsAreInRange() throws {
        for port in ["65536", "99999", "0"] {
            #expect(throws: AWSError.self, "\(port)") { try Endpoint("http://127.0.0.1:\(port)", what: "S3") }
        }
        #expect(try Endpoint("http://127.0.0.1:65535", what: "S3").port == 65535)
    }

    @Test func s3AddressesAreParsedStrictly() throws {
        #expect(try S3Location(parsing: "s3://my-bucket/org/AWSLogs/") == S3Location(bucket: "my-bucket", prefix: "org/AWSLogs/"))
        #expect(try S3Location(parsing: "S3://my-bucket") == S3Location(bucket: "my-bucket", prefix: ""))
        #expect(throws: AWSError.self) { try S3Location(parsing: "s3://Bad_Bucket/x") }
        #expect(throws: AWSError.self) { try S3Location(parsing: "s3://") }
    }

    @Test func hostileListingsFailCleanly() {
        for body in ["", "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
                     "<ListBucketResult><Contents><Key>k</Key>", "<ListBucketResult><Contents><Key>k</Key><Size>9999999999999999999999</Size></Contents></ListBucketResult>"] {
            #expect(throws: AWSError.self) { try S3ListPage.parse(Array(body.utf8), operation: "test") }
        }
        let page = try? S3ListPage.parse(Array("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a&amp;b&#x41;&#65;&bogus;</Key><Size>1</Size></Contents></ListBucketResult>".utf8), operation: "t")
        #expect(page?.objects.first?.key == "a&bAA&bogus;")
    }
}
