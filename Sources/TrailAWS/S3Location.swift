/// An `s3://BUCKET[/PREFIX]` address.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public var bucket: String
    /// The key prefix, without a leading `/`; empty for the whole bucket.
    public var prefix: String

    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }

    /// True when `text` starts with `s3://` (case-insensitive).
    public static func isS3(_ text: String) -> Bool { text.lowercased().hasPrefix("s3://") }

    /// Parses `s3://BUCKET[/PREFIX]`; the bucket name must follow S3's rules (3–63 characters of
    /// lower-case letters, digits, dots and hyphens).
    public init(parsing text: String) throws(AWSError) {
        guard Self.isS3(text) else {
            throw AWSError(.badConfiguration, operation: "S3 address", reason: "\"\(text)\" does not start with s3://")
        }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        var prefix = String(rest.dropFirst(bucket.count))
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        let allowed = bucket.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        guard (3...63).contains(bucket.count), allowed else {
            throw AWSError(.badConfiguration, operation: "S3 address \(text)",
                           reason: "the bucket name must be 3 to 63 lower-case letters, digits, dots or hyphens")
        }
        self.init(bucket: bucket, prefix: prefix)
    }

    /// `s3://bucket/key` for an object in this bucket.
    public func url(forKey key: String) -> String { "s3://\(bucket)/\(key)" }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
