import Foundation

/// An object a notification names: bucket and key (decoded), with the size and ETag when the
/// notification carries them (S3 event notifications do; CloudTrail's own SNS notifications
/// name keys only).
public struct S3NotificationObject: Sendable, Hashable {
    public var bucket: String
    public var key: String
    public var size: Int64?
    /// The ETag without quotes, as S3 notifications carry it.
    public var etag: String?

    public init(bucket: String, key: String, size: Int64? = nil, etag: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// What one SQS message body says, in the shapes that reach a CloudTrail queue:
/// - an S3 event notification (`{"Records":[{"eventName":"ObjectCreated:Put","s3":{…}}]}`),
///   whose keys are URL-encoded with `+` for a space;
/// - the same wrapped in an SNS envelope (`{"Type":"Notification","Message":"…"}`);
/// - CloudTrail's own SNS notification (`{"s3Bucket":"…","s3ObjectKey":["…"]}`, keys as they are),
///   usually SNS-wrapped;
/// - an EventBridge `Object Created` event (keys as they are);
/// - S3's `s3:TestEvent`, sent when a notification is configured.
///
/// Pure: bodies are attacker-controllable, so each shape is checked and every failure names the
/// message and the JSON path.
public enum S3Notification: Sendable, Equatable {
    /// The objects created (possibly none, when every record was another kind of event).
    case objects([S3NotificationObject])
    /// `s3:TestEvent`: nothing to read.
    case testEvent

    /// Bodies larger than this are refused unread (SQS bodies are at most 1 MiB).
    public static let maxBodyBytes = 1 << 20
    /// Objects one message may name. CloudTrail and S3 name a handful; a message naming more is
    /// refused (reported and left for the queue's redrive policy), so that one hostile message
    /// cannot hold the tail for thousands of lookups.
    public static let maxObjects = 1_000

    /// Parses one message body; `messageID` names the message in errors.
    public static func parse(_ body: [UInt8], messageID: String) throws(AWSError) -> S3Notification {
        let operation = "SQS message \(messageID)"
        func bad(_ reason: String) -> AWSError { AWSError(.badMessage, operation: operation, reason: reason) }
        guard body.count <= maxBodyBytes else { throw bad("body of \(body.count) bytes is larger than \(maxBodyBytes)") }
        let value = try json(body, bad: bad, what: "the body")
        return try parse(value, path: "$", depth: 0, bad: bad)
    }

    private static func json(_ bytes: [UInt8], bad: (String) -> AWSError, what: String) throws(AWSError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw bad("\(what) is not JSON")
        }
    }

    private static func parse(_ value: Any, path: String, depth: Int, bad: (String) -> AWSError) throws(AWSError) -> S3Notification {
        guard let object = value as? [String: Any] else { throw bad("\(path) is not a JSON object") }
        // SNS envelope: the notification is the string in Message (one level only).
        if object["Type"] as? String == "Notification", object["TopicArn"] != nil || object["Message"] != nil {
            guard depth == 0 else { throw bad("\(path) is an SNS envelope inside an SNS envelope") }
            guard let message = object["Message"] as? String else { throw bad("\(path).Message is not a string") }
            let inner = try json(Array(message.utf8), bad: bad, what: "\(path).Message")
            return try parse(inner, path: "\(path).Message", depth: depth + 1, bad: bad)
        }
        if object["Event"] as? String == "s3:TestEvent" { return .testEvent }
        if let records = object["Records"] {
            return .objects(try s3Records(records, path: "\(path).Records", bad: bad))
        }
        if object["s3ObjectKey"] != nil || object["s3Bucket"] != nil {
            guard let bucket = object["s3Bucket"] as? String, !bucket.isEmpty else { throw bad("\(path).s3Bucket is not a non-empty string") }
            guard let keys = object["s3ObjectKey"] as? [Any] else { throw bad("\(path).s3ObjectKey is not an array") }
            guard keys.count <= maxObjects else { throw bad("\(path).s3ObjectKey names \(keys.count) objects, more than \(maxObjects)") }
            var objects: [S3NotificationObject] = []
            for (index, key) in keys.enumerated() {
                objects.append(S3NotificationObject(bucket: bucket, key: try checkedKey(key, path: "\(path).s3ObjectKey[\(index)]", bad: bad)))
            }
            return .objects(objects)
        }
        if object["detail-type"] != nil, object["source"] as? String == "aws.s3" {
            guard object["detail-type"] as? String == "Object Created" else { return .objects([]) }
            let detail = object["detail"] as? [String: Any]
            guard let bucket = (detail?["bucket"] as? [String: Any])?["name"] as? String, !bucket.isEmpty else {
                throw bad("\(path).detail.bucket.name is not a non-empty string")
            }
            let item = detail?["object"] as? [String: Any]
            let key = try checkedKey(item?["key"] as Any, path: "\(path).detail.object.key", bad: bad)
            return .objects([S3NotificationObject(bucket: bucket, key: key, size: try size(item?["size"], path: "\(path).detail.object.size", bad: bad),
                                                  etag: item?["etag"] as? String)])
        }
        throw bad("\(path) is neither an S3 notification, an SNS envelope, CloudTrail's notification nor an S3 test event")
    }

    private static func s3Records(_ value: Any, path: String, bad: (String) -> AWSError) throws(AWSError) -> [S3NotificationObject] {
        guard let records = value as? [Any] else { throw bad("\(path) is not an array") }
        guard records.count <= maxObjects else { throw bad("\(path) holds \(records.count) records, more than \(maxObjects)") }
        var objects: [S3NotificationObject] = []
        for (index, record) in records.enumerated() {
            let here = "\(path)[\(index)]"
            guard let record = record as? [String: Any] else { throw bad("\(here) is not a JSON object") }
            guard let eventName = record["eventName"] as? String else { throw bad("\(here).eventName is not a string") }
            // Removals, restores, replication and the like name no new log file.
            guard eventName.hasPrefix("ObjectCreated:") else { continue }
            guard let s3 = record["s3"] as? [String: Any] else { throw bad("\(here).s3 is not a JSON object") }
            guard let bucket = (s3["bucket"] as? [String: Any])?["name"] as? String, !bucket.isEmpty else {
                throw bad("\(here).s3.bucket.name is not a non-empty string")
            }
            guard let item = s3["object"] as? [String: Any] else { throw bad("\(here).s3.object is not a JSON object") }
            let encoded = try checkedKey(item["key"] as Any, path: "\(here).s3.object.key", bad: bad)
            let key = URIEncoding.decode(encoded, plusIsSpace: true)
            guard !key.isEmpty, key.utf8.count <= 1024 else { throw bad("\(here).s3.object.key decodes to an empty or too long key") }
            objects.append(S3NotificationObject(bucket: bucket, key: key, size: try size(item["size"], path: "\(here).s3.object.size", bad: bad),
                                                etag: item["eTag"] as? String))
        }
        return objects
    }

    private static func checkedKey(_ value: Any, path: String, bad: (String) -> AWSError) throws(AWSError) -> String {
        guard let key = value as? String, !key.isEmpty else { throw bad("\(path) is not a non-empty string") }
        guard key.utf8.count <= 1024 else { throw bad("\(path) is longer than S3's 1024 bytes") }
        return key
    }

    private static func size(_ value: Any?, path: String, bad: (String) -> AWSError) throws(AWSError) -> Int64? {
        guard let value else { return nil }
        guard let number = value as? NSNumber, let size = Int64(exactly: number.doubleValue), size >= 0 else {
            throw bad("\(path) is not a non-negative integer")
        }
        return size
    }
}
