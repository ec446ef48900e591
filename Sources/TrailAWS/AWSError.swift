/// A failure talking to AWS or finding credentials, with the context needed to act on it.
///
/// Never carries a credential, a session token, a signature or a presigned URL: `description`
/// is safe to print.
public struct AWSError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// No source in the credential chain yielded credentials.
        case noCredentials
        /// A credential source exists but is malformed (a profile without keys, a bad file).
        case badCredentials
        /// A configuration value is unusable (an endpoint URL, a region, an s3:// address).
        case badConfiguration
        /// The service refused the request (403 AccessDenied, for example).
        case accessDenied
        /// The bucket does not exist (S3 `NoSuchBucket`).
        case noSuchBucket
        /// The object does not exist (S3 `NoSuchKey`), e.g. deleted between listing and reading.
        case noSuchKey
        /// The service answered with an error that retries did not cure.
        case service
        /// The connection failed, or the body ended early, after every retry.
        case transport
        /// The response could not be parsed.
        case badResponse
        /// A response or object is larger than the limit.
        case tooLarge
        /// A queue message (an S3 or SNS notification) could not be read.
        case badMessage
        /// The caller stopped (task cancelled) before the request finished; not retried.
        case cancelled
    }

    /// The kind of failure.
    public var code: Code
    /// What was being done: `ListObjectsV2 s3://bucket/prefix`, `profile "dev"`, `IMDS`.
    public var operation: String
    /// HTTP status when the service answered.
    public var status: Int?
    /// The service's error code (`AccessDenied`, `SlowDown`), when it sent one.
    public var serviceCode: String?
    /// A human explanation (what to set or fix), without secrets.
    public var reason: String

    public init(_ code: Code, operation: String, status: Int? = nil, serviceCode: String? = nil, reason: String) {
        self.code = code
        self.operation = operation
        self.status = status
        self.serviceCode = serviceCode
        self.reason = reason
    }

    /// `operation: HTTP 403 AccessDenied: reason`.
    public var description: String {
        var text = operation
        if let status { text += ": HTTP \(status)" }
        if let serviceCode { text += status == nil ? ": \(serviceCode)" : " \(serviceCode)" }
        return text + ": " + reason
    }
}
