import Foundation
import Testing

@testable import TrailAWS

/// S3 event notifications as they reach an SQS queue (raw, SNS-wrapped, CloudTrail's own SNS
/// notification, EventBridge), URL-encoded keys, test events, and hostile bodies: each refused
/// with the message id and the JSON path, never a crash.
@Suite struct S3NotificationTests {
    static func parse(_ text: String) throws(AWSError) -> S3Notification {
        try S3Notification.parse(Array(text.utf8), messageID: "m-1")
    }

    static func sns(_ inner: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: ["Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": inner]),
               as: UTF8.self)
    }

    static let raw = #"""
    {"Records":[
      {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"AWSLogs/1/CloudTrail/us-east-1/2024/06/03/a+b%2Bc%C3%A9.json.gz","size":12,"eTag":"abc"}}},
      {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}},
      {"eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"k2","size":0,"eTag":"e-2"}}}
    ]}
    """#

    @Test("a raw S3 notification: created objects only, keys URL-decoded with + as space")
    func rawNotification() throws {
        #expect(try Self.parse(Self.raw) == .objects([
            S3NotificationObject(bucket: "b", key: "AWSLogs/1/CloudTrail/us-east-1/2024/06/03/a b+cé.json.gz", size: 12, etag: "abc"),
            S3NotificationObject(bucket: "b", key: "k2", size: 0, etag: "e-2"),
        ]))
    }

    @Test("an SNS-wrapped S3 notification reads like the raw one")
    func snsWrapped() throws {
        #expect(try Self.parse(try Self.sns(Self.raw)) == Self.parse(Self.raw))
    }

    @Test("CloudTrail's SNS notification: keys as they are (not URL-decoded), no size or ETag")
    func cloudTrailNotification() throws {
        let inner = #"{"s3Bucket":"trail","s3ObjectKey":["AWSLogs/1/CloudTrail/us-east-1/2024/06/03/x+y%20.json.gz","k2"]}"#
        #expect(try Self.parse(try Self.sns(inner)) == .objects([
            S3NotificationObject(bucket: "trail", key: "AWSLogs/1/CloudTrail/us-east-1/2024/06/03/x+y%20.json.gz"),
            S3NotificationObject(bucket: "trail", key: "k2"),
        ]))
        #expect(try Self.parse(inner) == Self.parse(try Self.sns(inner)), "raw message delivery")
    }

    @Test("EventBridge Object Created events; other detail types name nothing")
    func eventBridge() throws {
        let created = #"{"source":"aws.s3","detail-type":"Object Created","detail":{"bucket":{"name":"b"},"object":{"key":"a b.json.gz","size":5,"etag":"e"}}}"#
        #expect(try Self.parse(created) == .objects([S3NotificationObject(bucket: "b", key: "a b.json.gz", size: 5, etag: "e")]))
        #expect(try Self.parse(#"{"source":"aws.s3","detail-type":"Object Deleted","detail":{}}"#) == .objects([]))
    }

    @Test("s3:TestEvent, raw or wrapped")
    func testEvent() throws {
        let event = #"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-06-03T12:00:00.000Z","Bucket":"b"}"#
        #expect(try Self.parse(event) == .testEvent)
        #expect(try Self.parse(try Self.sns(event)) == .testEvent)
    }

    @Test("hostile bodies are refused with the message id and the JSON path", arguments: [
        ("not json", "the body is not JSON"),
        ("[1,2]", "$ is not a JSON object"),
        (#"{"Records":"x"}"#, "$.Records is not an array"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":7}}}]}"#, "$.Records[0].s3.object.key is not a non-empty string"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k","size":-1}}}]}"#, "$.Records[0].s3.object.size is not a non-negative integer"),
        (#"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":""},"object":{"key":"k"}}}]}"#, "$.Records[0].s3.bucket.name is not a non-empty string"),
        (#"{"s3Bucket":"b","s3ObjectKey":"k"}"#, "$.s3ObjectKey is not an array"),
        (#"{"s3Bucket":"b","s3ObjectKey":[""]}"#, "$.s3ObjectKey[0] is not a non-empty string"),
        (#"{"Type":"Notification","TopicArn":"t","Message":"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}"#, "SNS envelope inside an SNS envelope"),
        (#"{"Type":"Notification","TopicArn":"t","Message":"nope"}"#, "$.Message is not JSON"),
        (#"{"hello":"world"}"#, "is neither an S3 notification"),
    ])
    func hostile(body: String, reason: String) {
        #expect {
            _ = try Self.parse(body)
        } throws: { error in
            let error = error as? AWSError
            return error?.code == .badMessage && error?.operation == "SQS message m-1" && (error?.reason.contains(reason) ?? false)
        }
    }

    @Test("huge bodies, deep nesting and too many objects are refused without reading them all")
    func bounds() {
        let huge = "{\"Records\":[" + String(repeating: " ", count: S3Notification.maxBodyBytes) + "]}"
        #expect(throws: AWSError.self) { try Self.parse(huge) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: AWSError.self) { try Self.parse(deep) }
        let keys = (0...S3Notification.maxObjects).map { "\"k\($0)\"" }.joined(separator: ",")
        #expect(throws: AWSError.self) { try Self.parse("{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\(keys)]}") }
    }

    @Test("a message may name at most 1,000 objects: 1,000 are read, 1,001 refused naming the limit")
    func objectCap() throws {
        func keys(_ n: Int) -> String { (0..<n).map { "\"k\($0)\"" }.joined(separator: ",") }
        guard case let .objects(named) = try Self.parse("{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\(keys(1_000))]}") else {
            Issue.record("not objects"); return
        }
        #expect(named.count == 1_000)
        #expect { try Self.parse("{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\(keys(1_001))]}") } throws: { "\($0)".contains("more than 1000") }
    }

    @Test("keys are classified against the tailed locations: logs, digests, unknown")
    func keyKinds() {
        let locations = [S3Location(bucket: "b", prefix: "trail/")]
        #expect(S3KeyKind.classify(bucket: "b", key: "trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/f.json.gz", locations: locations) == .log)
        #expect(S3KeyKind.classify(bucket: "b", key: "trail/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/06/03/f.json.gz", locations: locations) == .digest)
        #expect(S3KeyKind.classify(bucket: "b", key: "trail/AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/06/03/f.json.gz", locations: locations) == .unknown)
        #expect(S3KeyKind.classify(bucket: "b", key: "other/AWSLogs/1/CloudTrail/x.json.gz", locations: locations) == .unknown)
        #expect(S3KeyKind.classify(bucket: "c", key: "trail/AWSLogs/111122223333/CloudTrail/x.json.gz", locations: locations) == .unknown)
        #expect(S3KeyKind.classify(bucket: "b", key: "trail/AWSLogs/", locations: locations) == .unknown)
    }

    @Test("only CloudTrail's key layout is a log; other files and path tricks are unknown, never fetched", arguments: [
        ("trail/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2024/06/03/f.json.gz", S3KeyKind.log),
        ("trail/AWSLogs/o-abcdefghij/111122223333/CloudTrail-Digest/eu-west-1/2024/06/03/d.json.gz", .digest),
        ("trail/notes/readme.txt", .unknown),
        ("trail/AWSLogs/readme.txt", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/f.json.gz", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/13/03/f.json.gz", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/x/f.json.gz", .unknown),
        ("trail/AWSLogs/12345/CloudTrail/us-east-1/2024/06/03/f.json.gz", .unknown),
        ("trail/AWSLogs/111122223333/Other/us-east-1/2024/06/03/f.json.gz", .unknown),
        ("trail/AWSLogs/../../foreign/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/f.json.gz", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/..", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/%2e%2e", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/a%2F..%2F..%2Fx", .unknown),
        ("trail/AWSLogs/111122223333/CloudTrail/./2024/06/03/f.json.gz", .unknown),
        ("trail//AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/03/f.json.gz", .unknown),
    ])
    func layoutOnly(key: String, kind: S3KeyKind) {
        #expect(S3KeyKind.classify(bucket: "b", key: key, locations: [S3Location(bucket: "b", prefix: "trail")]) == kind, "\(key)")
    }

    @Test("an SQS queue URL names its region; other hosts take the configured one")
    func queueRegion() throws {
        #expect(SQSClient.region(ofQueueHost: "sqs.eu-west-1.amazonaws.com") == "eu-west-1")
        #expect(SQSClient.region(ofQueueHost: "us-east-2.queue.amazonaws.com") == "us-east-2")
        #expect(SQSClient.region(ofQueueHost: "127.0.0.1") == nil)
        #expect(throws: AWSError.self) {
            _ = try SQSClient(transport: NeverTransport(), credentials: CredentialChain(providers: [], now: { Date() }),
                              queueURL: "https://sqs.us-east-1.amazonaws.com/", endpoint: nil, region: "us-east-1")
        }
    }
}

/// A transport that is never called.
struct NeverTransport: HTTPTransport {
    func send(_ request: HTTPRequest, maxBodyBytes: Int) async throws(AWSError) -> HTTPResponse {
        throw AWSError(.transport, operation: "never", reason: "not expected")
    }
}
