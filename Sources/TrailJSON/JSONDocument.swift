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
    /// - Parameter maxNodes: the most tape nodes (values and keys) accepted, which bounds the
    ///   tape's memory; denser input fails with `.tooManyValues` (unlimited by default).
    public init(
        bytes: [UInt8], maxDepth: Int = JSONDocument.defaultMaxDepth, allowMultipleRoots: Bool = false, maxNodes: Int = .max
    ) throws(JSONError) {
        guard !bytes.isEmpty else { throw JSONError(.unexpectedEnd, at: 0) }
        let nodeLimit = max(16, maxNodes)
        // The tape is parsed straight into the array's storage, sized for CloudTrail's density
        // (a node per 18 bytes or so); denser input is parsed again with room for the worst case.
        var capacity = min(max(16, bytes.count / 12), nodeLimit)
        while true {
            var roots: [Int] = []
            var failure: JSONError?
            var tapeFull = false
            let tape = [JSONNode](unsafeUninitializedCapacity: capacity) { storage, initialized in
                initialized = 0
                guard let start = storage.baseAddress else { return }
                bytes.withUnsafeBufferPointer { buffer in
                    var parser = JSONParser(buffer, tape: start, capacity: storage.count, maxDepth: maxDepth)
                    do throws(JSONError) {
                        roots = try parser.parseRoots(allowMultiple: allowMultipleRoots)
                    } catch {
                        failure = error
                        tapeFull = parser.tapeFull
                    }
                    initialized = parser.nodeCount
                }
            }
            let largest = min(JSONParser.maximumNodes(forBytes: bytes.count), nodeLimit)
            if tapeFull && capacity < largest {
                capacity = largest
                continue
            }
            if tapeFull, let position = failure?.offset { throw JSONError(.tooManyValues(limit: nodeLimit), at: position) }
            if let failure { throw failure }
            self.bytes = bytes
            self.nodes = tape
            self.rootIndexes = roots
            return
        }
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
