import TrailJSON

/// One event pattern to compile, with the names used in error messages.
public struct NamedPattern: Sendable {
    /// The rule's name (may be empty when the pattern has no name, e.g. on the command line).
    public var name: String
    /// The file the pattern came from, if any.
    public var file: String?
    /// The pattern itself: a JSON object in the EventBridge event-pattern language.
    public var pattern: JSONValue

    /// Creates a named pattern.
    public init(name: String, file: String? = nil, pattern: JSONValue) {
        self.name = name
        self.file = file
        self.pattern = pattern
    }
}
