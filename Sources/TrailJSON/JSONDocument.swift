/// A parsed JSON document: the input bytes and a tape of nodes over them.
///
/// Parse once, then read values through ``JSONValue`` views without copying. A document is
/// immutable and safe to share across threads.
public final class JSONDocument: Sendable {
    /// The input bytes, as given.
    public let bytes: [UInt8]
    /// The tape: one node per value and per object key, in document order.
    public let nodes: [JSONNode]
    /// Node indexes of the top-level values (one unless parsed with `allowMultipleRoots`).
    public let rootIndexes: [Int]

    /// The default nesting limit.
    public static let defaultMaxDepth = 512

    /// Parses `bytes` as one JSON value (or, with `allowMultipleRoots`, a whitespace-separated
    /// sequence of values such as JSON lines).
    public init(bytes: [UInt8], maxDepth: Int = JSONDocument.defaultMaxDepth, allowMultipleRoots: Bool = false) throws(JSONError) {
        guard !bytes.isEmpty else { throw JSONError(.unexpectedEnd, at: 0) }
        var roots: [Int] = []
        var tape: [JSONNode] = []
        let result: Result<Void, JSONError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            do throws(JSONError) {
                roots = try parser.parseRoots(allowMultiple: allowMultipleRoots)
            } catch {
                return .failure(error)
            }
            tape = parser.nodes
            return .success(())
        }
        if case let .failure(error) = result { throw error }
        self.bytes = bytes
        self.nodes = tape
        self.rootIndexes = roots
    }

    /// Wraps a tape built directly (by ``JSONTapeWriter``), skipping the parse.
    init(bytes: [UInt8], nodes: [JSONNode], rootIndexes: [Int]) {
        self.bytes = bytes
        self.nodes = nodes
        self.rootIndexes = rootIndexes
    }

    /// Parses UTF-8 text.
    public convenience init(text: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        try self.init(bytes: Array(text.utf8), maxDepth: maxDepth)
    }

    /// The first (usually only) top-level value.
    public var root: JSONValue { JSONValue(document: self, index: rootIndexes[0]) }

    /// Every top-level value, in order.
    public var roots: [JSONValue] { rootIndexes.map { JSONValue(document: self, index: $0) } }
}
