/// An error of alert delivery: what kind, which sink (its redacted name, never a secret URL), and why.
public struct DeliveryError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A sink or option given wrongly (exit 2).
        case usage
        /// Writing to a file or standard output failed.
        case io
        /// An HTTP request failed or was answered with an error.
        case http
    }

    public var kind: Kind
    /// The sink's redacted name (``SinkSpec/name``).
    public var sink: String
    public var message: String

    public init(_ kind: Kind, sink: String, message: String) {
        self.kind = kind
        self.sink = sink
        self.message = message
    }

    public var description: String { "sink \(sink): \(message)" }
}
