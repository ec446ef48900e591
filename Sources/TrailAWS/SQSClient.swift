import Foundation
import Synchronization
import TrailSync

/// The SQS calls a notification consumer needs, on SQS's JSON protocol, signed with SigV4 over
/// the same transport as S3: `ReceiveMessage` (long poll), `DeleteMessageBatch` and
/// `ChangeMessageVisibilityBatch`. Throttling, 5xx and connection failures are retried with
/// `retry` (backoff with full jitter). Receipt handles are never printed.
public final class SQSClient: Sendable {
    public let transport: any HTTPTransport
    public let credentials: CredentialChain
    /// The queue URL (`https://sqs.us-east-1.amazonaws.com/123456789012/trail-queue`).
    public let queueURL: String
    /// Where requests go: the endpoint override, else the queue URL's scheme and host.
    public let endpoint: Endpoint
    public let region: String
    public let retry: RetryPolicy
    public let now: @Sendable () -> Date
    private let counters = Mutex([String: Int]())

    /// - Parameters:
    ///   - endpoint: `--endpoint-url`/`AWS_ENDPOINT_URL_SQS`/`AWS_ENDPOINT_URL`, when set.
    ///   - region: the configured region; a queue URL on `sqs.REGION.amazonaws.com` (or the legacy
    ///     `REGION.queue.amazonaws.com`) names its own region, which wins.
    public init(transport: any HTTPTransport, credentials: CredentialChain, queueURL: String, endpoint: Endpoint?,
                region: String, retry: RetryPolicy = RetryPolicy(), now: @escaping @Sendable () -> Date = { Date() }) throws(AWSError) {
        let queue = try Endpoint(queueURL, what: "--sqs-queue-url")
        guard queue.basePath.split(separator: "/").count == 2 else {
            throw AWSError(.badConfiguration, operation: "--sqs-queue-url",
                           reason: "\"\(queueURL)\" is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE)")
        }
        self.transport = transport
        self.credentials = credentials
        self.queueURL = queueURL
        var base = endpoint ?? queue
        if endpoint == nil { base.basePath = "" }
        self.endpoint = base
        self.region = Self.region(ofQueueHost: queue.host) ?? region
        self.retry = retry
        self.now = now
    }

    /// `us-east-2` from `sqs.us-east-2.amazonaws.com` or `us-east-2.queue.amazonaws.com`.
    static func region(ofQueueHost host: String) -> String? {
        let parts = host.lowercased().split(separator: ".")
        guard parts.count >= 4, parts.suffix(2) == ["amazonaws", "com"] || parts.suffix(3) == ["amazonaws", "com", "cn"] else { return nil }
        if parts[0] == "sqs" { return String(parts[1]) }
        if parts[1] == "queue" { return String(parts[0]) }
        return nil
    }

    /// Requests issued so far, by action (retries included).
    public var requestCounts: [String: Int] { counters.locked { $0 } }

    /// A received message.
    public struct Message: Sendable, Equatable {
        public var id: String
        /// Needed to delete the message or change its visibility; never printed.
        public var receiptHandle: String
        public var body: [UInt8]
        /// How often the message has been received (1 the first time), when SQS said.
        public var receiveCount: Int?
    }

    /// Waits up to `waitSeconds` (long poll, 0...20) for up to `maxMessages` (1...10) messages.
    public func receive(maxMessages: Int = 10, waitSeconds: Int = 20, visibilityTimeout: Int? = nil) async throws(AWSError) -> [Message] {
        var request: [String: Any] = ["QueueUrl": queueURL, "MaxNumberOfMessages": min(10, max(1, maxMessages)),
                                      "WaitTimeSeconds": min(20, max(0, waitSeconds)),
                                      "AttributeNames": ["ApproximateReceiveCount"],
                                      "MessageSystemAttributeNames": ["ApproximateReceiveCount"]]
        if let visibilityTimeout { request["VisibilityTimeout"] = visibilityTimeout }
        let response = try await call("ReceiveMessage", request, permission: "sqs:ReceiveMessage", timeout: Double(waitSeconds) + 30)
        guard let list = response["Messages"] else { return [] }
        guard let messages = list as? [[String: Any]] else {
            throw AWSError(.badResponse, operation: "SQS ReceiveMessage", reason: "Messages is not an array of objects")
        }
        return try messages.map { (item: [String: Any]) throws(AWSError) -> Message in
            guard let id = item["MessageId"] as? String, let handle = item["ReceiptHandle"] as? String else {
                throw AWSError(.badResponse, operation: "SQS ReceiveMessage", reason: "a message without MessageId or ReceiptHandle")
            }
            let count = ((item["Attributes"] as? [String: Any])?["ApproximateReceiveCount"] as? String).flatMap { Int($0) }
            return Message(id: id, receiptHandle: handle, body: Array(((item["Body"] as? String) ?? "").utf8), receiveCount: count)
        }
    }

    /// Deletes messages (batches of 10); returns the ids SQS did not delete, with its reasons.
    @discardableResult
    public func delete(_ messages: [Message]) async throws(AWSError) -> [(id: String, reason: String)] {
        var failed: [(id: String, reason: String)] = []
        for start in stride(from: 0, to: messages.count, by: 10) {
            let batch = Array(messages[start..<min(messages.count, start + 10)])
            let entries = batch.enumerated().map { ["Id": String($0.offset), "ReceiptHandle": $0.element.receiptHandle] }
            let response = try await call("DeleteMessageBatch", ["QueueUrl": queueURL, "Entries": entries], permission: "sqs:DeleteMessage")
            failed += Self.failures(response, batch: batch)
        }
        return failed
    }

    /// Sets the visibility timeout of messages still in hand (batches of 10); returns the ids
    /// SQS refused, with its reasons.
    @discardableResult
    public func changeVisibility(_ messages: [Message], seconds: Int) async throws(AWSError) -> [(id: String, reason: String)] {
        var failed: [(id: String, reason: String)] = []
        for start in stride(from: 0, to: messages.count, by: 10) {
            let batch = Array(messages[start..<min(messages.count, start + 10)])
            let entries = batch.enumerated().map { ["Id": String($0.offset), "ReceiptHandle": $0.element.receiptHandle,
                                                    "VisibilityTimeout": min(43_200, max(0, seconds))] as [String: Any] }
            let response = try await call("ChangeMessageVisibilityBatch", ["QueueUrl": queueURL, "Entries": entries],
                                          permission: "sqs:ChangeMessageVisibility")
            failed += Self.failures(response, batch: batch)
        }
        return failed
    }

    private static func failures(_ response: [String: Any], batch: [Message]) -> [(id: String, reason: String)] {
        ((response["Failed"] as? [[String: Any]]) ?? []).compactMap { entry in
            guard let index = (entry["Id"] as? String).flatMap({ Int($0) }), batch.indices.contains(index) else { return nil }
            return (batch[index].id, "\(entry["Code"] as? String ?? "error"): \(entry["Message"] as? String ?? "")")
        }
    }

    // MARK: - Requests

    private func call(_ action: String, _ payload: [String: Any], permission: String, timeout: Double = 60) async throws(AWSError) -> [String: Any] {
        let operation = "SQS \(action) \(queueURL)"
        let body: [UInt8]
        do {
            body = Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]))
        } catch {
            throw AWSError(.badConfiguration, operation: operation, reason: "request could not be encoded")
        }
        let extra: [(name: String, value: String)] = [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.\(action)")]
        var attempt = 0
        var lastError: AWSError?
        while attempt < retry.maxAttempts {
            attempt += 1
            if attempt > 1 { await retry.sleep(retry.delay(after: attempt - 1)) }
            if Task.isCancelled { throw AWSError(.transport, operation: operation, reason: "cancelled") }
            let credentials = try await self.credentials.credentials()
            let signable = SignableRequest(method: "POST", host: endpoint.hostHeader, path: endpoint.basePath.isEmpty ? "/" : endpoint.basePath,
                                           headers: extra, payloadHash: SigV4.sha256Hex(body))
            let signed = SigV4(region: region, service: "sqs").sign(signable, credentials: credentials, date: now())
            let request = HTTPRequest(method: "POST", url: endpoint.url(for: signable),
                                      headers: [("Host", endpoint.hostHeader)] + extra + signed.headers, body: body, timeout: timeout)
            counters.locked { $0[action, default: 0] += 1 }
            let response: HTTPResponse
            do throws(AWSError) {
                response = try await transport.send(request, maxBodyBytes: 16 << 20)
            } catch where error.code == .transport {
                lastError = AWSError(.transport, operation: operation, reason: error.reason)
                continue
            } catch {
                throw AWSError(error.code, operation: operation, status: error.status, reason: error.reason)
            }
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body), options: [])) as? [String: Any]
            if (200..<300).contains(response.status) {
                guard let object else {
                    if response.body.isEmpty { return [:] }
                    throw AWSError(.badResponse, operation: operation, status: response.status, reason: "the response is not a JSON object")
                }
                return object
            }
            // `com.amazonaws.sqs#QueueDoesNotExist`, or the query protocol's code in a header.
            let type = (object?["__type"] as? String).map { String($0.split(separator: "#").last ?? "") }
                ?? response.header("x-amzn-query-error").map { String($0.split(separator: ";").first ?? "") }
            let message = (object?["message"] as? String) ?? (object?["Message"] as? String)
            if Self.isRetryable(status: response.status, type: type) {
                lastError = AWSError(.service, operation: operation, status: response.status, serviceCode: type, reason: message ?? "retryable error")
                continue
            }
            throw Self.failure(status: response.status, type: type, message: message, operation: operation, permission: permission)
        }
        throw lastError.map { AWSError($0.code, operation: $0.operation, status: $0.status, serviceCode: $0.serviceCode,
                                       reason: $0.reason + " (after \(attempt) attempts)") }
            ?? AWSError(.transport, operation: operation, reason: "no attempt made")
    }

    static func isRetryable(status: Int, type: String?) -> Bool {
        if RetryPolicy.isRetryable(status: status, code: type) { return true }
        let type = type ?? ""
        return type.contains("Throttl") || type == "RequestThrottled" || type == "ServiceUnavailable" || type == "InternalError"
            || type == "KmsThrottled"
    }

    static func failure(status: Int, type: String?, message: String?, operation: String, permission: String) -> AWSError {
        switch type ?? "" {
        case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue":
            return AWSError(.badConfiguration, operation: operation, status: status, serviceCode: type,
                            reason: "the queue does not exist (check --sqs-queue-url, and --endpoint-url or AWS_ENDPOINT_URL for local stand-ins)")
        case "AccessDenied", "AccessDeniedException":
            return AWSError(.accessDenied, operation: operation, status: status, serviceCode: type, reason: "access denied: the credentials need \(permission)")
        case "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "ExpiredToken", "InvalidSignatureException":
            return AWSError(.accessDenied, operation: operation, status: status, serviceCode: type, reason: message ?? "the credentials were refused")
        default:
            if status == 403 {
                return AWSError(.accessDenied, operation: operation, status: status, serviceCode: type, reason: "access denied: the credentials need \(permission)")
            }
            return AWSError(.service, operation: operation, status: status, serviceCode: type, reason: message ?? "SQS refused the request")
        }
    }
}
