import Foundation
import Synchronization
import TrailSync

/// The S3 calls TrailWatch needs, signed with SigV4: `ListObjectsV2` (with delimiter and
/// continuation) and `GetObject` (pinned to the listed ETag with `If-Match`).
///
/// With an endpoint URL (`--endpoint-url`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`) requests use
/// path-style addresses on it; otherwise virtual-hosted addresses on
/// `BUCKET.s3.REGION.amazonaws.com` (path-style for bucket names with dots). A bucket in another
/// region is followed once its region is known from `x-amz-bucket-region`. `503 SlowDown`, 5xx,
/// connection failures and bodies cut short are retried with backoff and jitter.
public final class S3Client: Sendable {
    public let transport: any HTTPTransport
    public let credentials: CredentialChain
    public let region: String
    public let endpoint: Endpoint?
    public let retry: RetryPolicy
    public let now: @Sendable () -> Date
    private let bucketRegions = Mutex<[String: String]>([:])
    private let counters = Mutex(S3RequestCounts())

    public init(transport: any HTTPTransport, credentials: CredentialChain, region: String, endpoint: Endpoint?,
                retry: RetryPolicy = RetryPolicy(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.transport = transport
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
        self.retry = retry
        self.now = now
    }

    /// Requests issued so far (retries included).
    public var requestCounts: S3RequestCounts { counters.locked { $0 } }

    /// One page of `ListObjectsV2`.
    public func listObjects(bucket: String, prefix: String, delimiter: String?, continuationToken: String?,
                            maxKeys: Int? = nil) async throws(AWSError) -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix), ("encoding-type", "url")]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let operation = "ListObjectsV2 s3://\(bucket)/\(prefix)"
        let response = try await send(method: "GET", bucket: bucket, key: nil, query: query, headers: [],
                                      operation: operation, permission: "s3:ListBucket", maxBodyBytes: 64 << 20)
        return try S3ListPage.parse(response.body, operation: operation)
    }

    /// Every page of a listing: the objects and the common prefixes under `prefix`.
    public func listAll(bucket: String, prefix: String, delimiter: String?) async throws(AWSError) -> (objects: [S3ObjectSummary], prefixes: [String]) {
        var objects: [S3ObjectSummary] = []
        var prefixes: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await listObjects(bucket: bucket, prefix: prefix, delimiter: delimiter, continuationToken: token)
            objects += page.objects
            prefixes += page.commonPrefixes
            pages += 1
            if page.isTruncated && page.nextContinuationToken == nil {
                throw AWSError(.badResponse, operation: "ListObjectsV2 s3://\(bucket)/\(prefix)", reason: "a truncated page without NextContinuationToken")
            }
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil && pages < 1_000_000
        return (objects, prefixes)
    }

    /// An object's bytes. `etag` (as listed) is sent as `If-Match`, so a replaced object is an
    /// error rather than other content under the listed identity; `expectedSize` makes a short
    /// body a retried failure.
    public func getObject(bucket: String, key: String, etag: String?, expectedSize: Int64?, maxBytes: Int) async throws(AWSError) -> S3ObjectContent {
        var headers: [(name: String, value: String)] = []
        if let etag { headers.append(("If-Match", etag)) }
        let operation = "GetObject s3://\(bucket)/\(key)"
        let response = try await send(method: "GET", bucket: bucket, key: key, query: [], headers: headers, operation: operation,
                                      permission: "s3:GetObject", maxBodyBytes: maxBytes, expectedSize: expectedSize)
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        return S3ObjectContent(bytes: response.body, etag: response.header("ETag") ?? etag ?? "", metadata: metadata)
    }

    // MARK: - Requests

    private func send(method: String, bucket: String, key: String?, query: [(name: String, value: String)],
                      headers extra: [(name: String, value: String)], operation: String, permission: String,
                      maxBodyBytes: Int, expectedSize: Int64? = nil) async throws(AWSError) -> HTTPResponse {
        var attempt = 0
        var lastError: AWSError?
        while attempt < retry.maxAttempts {
            attempt += 1
            if attempt > 1 { await retry.sleep(retry.delay(after: attempt - 1)) }
            // A stop cancels the task: no further attempt (an unreachable endpoint would
            // otherwise hold a SIGTERM for every attempt's connect timeout).
            if Task.isCancelled { throw AWSError(.cancelled, operation: operation, reason: "stopped") }
            let credentials = try await self.credentials.credentials()
            let region = bucketRegions.locked { $0[bucket] } ?? self.region
            let (endpoint, path) = try address(bucket: bucket, key: key, region: region)
            let signable = SignableRequest(method: method, host: endpoint.hostHeader, path: path, query: query, headers: extra)
            let signed = SigV4(region: region, service: "s3").sign(signable, credentials: credentials, date: now())
            let request = HTTPRequest(method: method, url: endpoint.url(for: signable),
                                      headers: [("Host", endpoint.hostHeader)] + extra + signed.headers, timeout: 300)
            counters.locked { $0.count(operation: key == nil ? "list" : "get", retry: attempt > 1) }
            let response: HTTPResponse
            do throws(AWSError) {
                response = try await transport.send(request, maxBodyBytes: maxBodyBytes)
            } catch where error.code == .transport {
                if Task.isCancelled { throw AWSError(.cancelled, operation: operation, reason: "stopped") }
                lastError = AWSError(.transport, operation: operation, reason: error.reason)
                continue
            } catch {
                throw AWSError(error.code, operation: operation, status: error.status, reason: error.reason)
            }
            if (200..<300).contains(response.status) {
                if let expectedSize, Int64(response.body.count) != expectedSize {
                    lastError = AWSError(.transport, operation: operation, status: response.status,
                                         reason: "body of \(response.body.count) bytes, \(expectedSize) listed")
                    continue
                }
                return response
            }
            let xml = XMLScan(response.body)
            let code = xml.text("Code", in: xml.all)
            // A bucket in another region: learn it and try again there (AWS endpoints only). The
            // header becomes part of a host name, so only a region's letters are taken from it.
            if self.endpoint == nil, let bucketRegion = response.header("x-amz-bucket-region"), bucketRegion != region,
               CloudTrailLayout.isRegion(bucketRegion), [301, 307, 400, 403].contains(response.status) {
                bucketRegions.locked { $0[bucket] = bucketRegion }
                lastError = AWSError(.service, operation: operation, status: response.status, serviceCode: code, reason: "bucket is in \(bucketRegion)")
                continue
            }
            if RetryPolicy.isRetryable(status: response.status, code: code) {
                lastError = AWSError(.service, operation: operation, status: response.status, serviceCode: code,
                                     reason: xml.text("Message", in: xml.all) ?? "retryable error")
                continue
            }
            throw Self.failure(status: response.status, code: code, message: xml.text("Message", in: xml.all),
                               operation: operation, permission: permission, bucket: bucket)
        }
        throw lastError.map { AWSError($0.code, operation: $0.operation, status: $0.status, serviceCode: $0.serviceCode,
                                       reason: $0.reason + " (after \(attempt) attempts)") }
            ?? AWSError(.transport, operation: operation, reason: "no attempt made")
    }

    static func failure(status: Int, code: String?, message: String?, operation: String, permission: String, bucket: String) -> AWSError {
        switch (status, code) {
        case (_, "NoSuchBucket"):
            return AWSError(.noSuchBucket, operation: operation, status: status, serviceCode: code,
                            reason: "bucket \(bucket) does not exist (check the name, and --endpoint-url or AWS_ENDPOINT_URL for S3-compatible stores)")
        case (_, "NoSuchKey"):
            return AWSError(.noSuchKey, operation: operation, status: status, serviceCode: code, reason: "the object no longer exists")
        case (_, "PreconditionFailed"), (412, _):
            return AWSError(.service, operation: operation, status: status, serviceCode: code, reason: "the object was replaced after it was listed")
        case (403, _), (_, "AccessDenied"):
            return AWSError(.accessDenied, operation: operation, status: status, serviceCode: code, reason: "access denied: the credentials need \(permission)")
        case (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "ExpiredToken"):
            return AWSError(.accessDenied, operation: operation, status: status, serviceCode: code, reason: message ?? "the credentials were refused")
        default:
            return AWSError(.service, operation: operation, status: status, serviceCode: code, reason: message ?? "S3 refused the request")
        }
    }

    /// Where a request for `bucket`/`key` goes, and its decoded path.
    func address(bucket: String, key: String?, region: String) throws(AWSError) -> (Endpoint, String) {
        let keyPath = key.map { "/" + $0 } ?? "/"
        if let endpoint {
            return (endpoint, endpoint.basePath + "/" + bucket + (key.map { "/" + $0 } ?? ""))
        }
        if bucket.contains(".") {
            return (try Endpoint("https://s3.\(region).amazonaws.com", what: "S3"), "/" + bucket + (key.map { "/" + $0 } ?? ""))
        }
        return (try Endpoint("https://\(bucket).s3.\(region).amazonaws.com", what: "S3"), keyPath)
    }
}

/// Requests an `S3Client` issued, by kind.
public struct S3RequestCounts: Sendable, Equatable {
    public var list = 0
    public var get = 0
    /// Of the above, how many were retries.
    public var retries = 0

    mutating func count(operation: String, retry: Bool) {
        if operation == "list" { list += 1 } else { get += 1 }
        if retry { retries += 1 }
    }

    public var total: Int { list + get }
}

/// An object as listed.
public struct S3ObjectSummary: Sendable, Hashable {
    public var key: String
    public var size: Int64
    /// The ETag as S3 gives it, with its quotes.
    public var etag: String

    public init(key: String, size: Int64, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// An object's bytes with the ETag they were served under.
public struct S3ObjectContent: Sendable {
    public var bytes: [UInt8]
    public var etag: String
    /// User metadata (`x-amz-meta-NAME` headers), by lower-case NAME: a CloudTrail digest's
    /// `signature` and `signature-algorithm`.
    public var metadata: [String: String] = [:]
}

/// One `ListObjectsV2` page.
public struct S3ListPage: Sendable {
    public var objects: [S3ObjectSummary]
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    public var nextContinuationToken: String?

    /// Parses a `ListBucketResult` requested with `encoding-type=url` (keys and prefixes decoded).
    static func parse(_ body: [UInt8], operation: String) throws(AWSError) -> S3ListPage {
        let xml = XMLScan(body)
        guard let root = xml.elements("ListBucketResult", in: xml.all).first else {
            throw AWSError(.badResponse, operation: operation, reason: "no ListBucketResult in the response")
        }
        let encoded = xml.text("EncodingType", in: root) == "url"
        func name(_ text: String) -> String { encoded ? URIEncoding.decode(text, plusIsSpace: true) : text }
        var objects: [S3ObjectSummary] = []
        for block in xml.elements("Contents", in: root) {
            guard let key = xml.text("Key", in: block), let sizeText = xml.text("Size", in: block), let size = Int64(sizeText), size >= 0 else {
                throw AWSError(.badResponse, operation: operation, reason: "a Contents entry without a Key or a valid Size")
            }
            objects.append(S3ObjectSummary(key: name(key), size: size, etag: xml.text("ETag", in: block) ?? ""))
        }
        let prefixes = xml.elements("CommonPrefixes", in: root).compactMap { xml.text("Prefix", in: $0).map(name) }
        // Top-level elements only: the text of <IsTruncated> outside Contents blocks.
        let truncated = xml.text("IsTruncated", in: root) == "true"
        return S3ListPage(objects: objects, commonPrefixes: prefixes, isTruncated: truncated,
                          nextContinuationToken: xml.text("NextContinuationToken", in: root))
    }
}
