/// The one way to walk a parsed ``JSONDocument``: node indexes in; kinds, sizes, members,
/// elements, bytes and strings out, without allocating (escaped strings aside).
///
/// A cursor is **non-escapable**: it exists only inside ``JSONDocument/withCursor(_:)``, which
/// keeps the document and its buffers alive, and the compiler rejects any attempt to store it
/// past that call (in a variable outside the closure, a global, a class or an escaping closure).
/// Types that hold a cursor must themselves be `~Escapable`. This is what makes the unchecked
/// reference and buffer pointers inside it sound.
///
/// Indexes are node indexes into the document's tape (as in ``JSONValue/index``). Every tape and
/// byte access is bounds-checked in debug builds (`assert`); release builds trust the tape, whose
/// indexes the parser (or ``JSONTapeWriter``) produced. Methods that take an index which may be
/// "absent" accept `-1` and answer as for a missing value (nil, `false`, `-1`).
///
/// ```swift
/// let ids = document.withCursor { c in
///     var out: [String] = []
///     c.forEachElement(c.member(document.rootIndexes[0], "Records")) { r in
///         if let id = c.string(c.member(r, "eventID")) { out.append(id) }
///     }
///     return out
/// }
/// ```
public struct JSONCursor: ~Escapable {
    /// The document. Unowned: a cursor cannot outlive ``JSONDocument/withCursor(_:)``, which
    /// holds the document, and passing a cursor along costs no retain and release.
    @usableFromInline unowned(unsafe) let document: JSONDocument
    @usableFromInline let nodes: UnsafeBufferPointer<JSONNode>
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>

    @usableFromInline @_lifetime(borrow document)
    init(document: borrowing JSONDocument, nodes: UnsafeBufferPointer<JSONNode>, bytes: UnsafeBufferPointer<UInt8>) {
        self.document = copy document
        self.nodes = nodes
        self.bytes = bytes
    }

    // MARK: Nodes

    /// The number of nodes on the tape.
    @inlinable public var nodeCount: Int { nodes.count }

    /// Node `i` of the tape.
    @inlinable @inline(__always)
    public func node(_ i: Int) -> JSONNode {
        assert(i >= 0 && i < nodes.count, "JSONCursor: node index out of range")
        return nodes[i]
    }

    /// The kind of node `i`.
    @inlinable @inline(__always) public func kind(_ i: Int) -> JSONKind { node(i).kind }

    /// The index of the first node after node `i`'s subtree (its next sibling, if any).
    @inlinable @inline(__always) public func next(_ i: Int) -> Int { Int(node(i).next) }

    /// For objects: the number of members; for arrays: the number of elements; otherwise 0.
    @inlinable @inline(__always) public func count(_ i: Int) -> Int { Int(node(i).count) }

    /// An escapable, reference-holding view of node `i`, for keeping a value past the cursor.
    @inlinable public func value(_ i: Int) -> JSONValue { JSONValue(document: document, index: i) }

    /// Offset of the value's first byte in the document (for strings, the opening quote).
    @inlinable @inline(__always)
    public func byteOffset(_ i: Int) -> Int {
        let n = node(i)
        return n.kind == .string ? Int(n.start) - 1 : Int(n.start)
    }

    // MARK: Bytes

    /// `bytes[start..<end]` of the document, checked in debug builds.
    @inlinable @inline(__always)
    func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        assert(start >= 0 && start <= end && end <= bytes.count, "JSONCursor: byte range out of bounds")
        return UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: end &- start)
    }

    /// The value's source text, byte for byte (strings include their quotes). The buffer points
    /// into the document: use it only while the cursor exists.
    @inlinable @inline(__always)
    public func sourceBytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let n = node(i)
        if n.kind == .string { return slice(Int(n.start) - 1, Int(n.end) + 1) }
        return slice(Int(n.start), Int(n.end))
    }

    /// The value's source text as a `String`.
    public func rawText(_ i: Int) -> String { String(decoding: sourceBytes(i), as: UTF8.self) }

    // MARK: Strings

    /// The raw content of string node `i` when it holds no escapes (its decoded UTF-8 bytes,
    /// in place); nil for `-1`, other kinds and escaped strings. The buffer points into the
    /// document: use it only while the cursor exists.
    @inlinable @inline(__always)
    public func plainBytes(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
        guard i >= 0 else { return nil }
        let n = node(i)
        guard n.kind == .string, !n.hasEscapes else { return nil }
        return slice(Int(n.start), Int(n.end))
    }

    /// String content length in raw bytes (escapes not resolved); -1 for `-1` and non-strings.
    @inlinable @inline(__always)
    public func rawStringLength(_ i: Int) -> Int {
        guard i >= 0 else { return -1 }
        let n = node(i)
        return n.kind == .string ? Int(n.end &- n.start) : -1
    }

    /// The decoded UTF-8 bytes of string node `i` (escapes resolved, lone surrogates become
    /// U+FFFD); empty for other kinds.
    public func decodedStringBytes(_ i: Int) -> [UInt8] {
        let n = node(i)
        guard n.kind == .string else { return [] }
        if n.hasEscapes { return JSONStringDecoder.unescape(document.bytes[Int(n.start)..<Int(n.end)]) }
        return Array(slice(Int(n.start), Int(n.end)))
    }

    /// Calls `body` with the decoded UTF-8 bytes of string node `i`: in place when the string
    /// holds no escapes (the buffer then has an address even when empty), else decoded into a
    /// temporary array. Other kinds pass an empty buffer.
    @inlinable @inline(__always)
    public func withStringBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let n = node(i)
        if n.kind == .string, !n.hasEscapes { return try body(slice(Int(n.start), Int(n.end))) }
        return try decodedStringBytes(i).withUnsafeBufferPointer(body)
    }

    /// The decoded string, or nil for `-1` and non-strings.
    @inlinable @inline(__always)
    public func string(_ i: Int) -> String? {
        guard i >= 0 else { return nil }
        let n = node(i)
        guard n.kind == .string else { return nil }
        if n.hasEscapes { return String(decoding: decodedStringBytes(i), as: UTF8.self) }
        return String(decoding: slice(Int(n.start), Int(n.end)), as: UTF8.self)
    }

    /// The decoded string when it is non-empty, else nil.
    @inlinable @inline(__always)
    public func nonEmptyString(_ i: Int) -> String? {
        guard i >= 0 else { return nil }
        let n = node(i)
        guard n.kind == .string, n.end > n.start else { return nil }
        return string(i)
    }

    /// Whether node `i` is a string whose decoded UTF-8 bytes equal `other` (no allocation when
    /// the string holds no escapes); `false` for `-1` and other kinds.
    @inlinable @inline(__always)
    public func stringEquals(_ i: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i >= 0 else { return false }
        let n = node(i)
        guard n.kind == .string else { return false }
        if n.hasEscapes { return decodedStringBytes(i).elementsEqual(other) }
        let len = Int(n.end &- n.start)
        guard len == other.count else { return false }
        guard len > 0, let o = other.baseAddress, let b = slice(Int(n.start), Int(n.end)).baseAddress else { return true }
        return JSONCursor.equal(b, o, len)
    }

    /// Whether node `i` is a string whose content equals `literal` (escaped strings are decoded).
    @inlinable @inline(__always)
    public func isString(_ i: Int, _ literal: StaticString) -> Bool {
        stringEquals(i, UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    // MARK: Containers

    /// The value of the last member of object `obj` whose key equals `key` (JSON's "last
    /// wins"), or -1 when there is none or `obj` is `-1` or not an object.
    @inlinable
    public func member(_ obj: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
        var found = -1
        forEachMember(obj) { k, v in if stringEquals(k, key) { found = v } }
        return found
    }

    /// The value of the last member of object `obj` named `key`, or -1.
    @inlinable @inline(__always)
    public func member(_ obj: Int, _ key: StaticString) -> Int {
        member(obj, UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// Calls `body(keyIndex, valueIndex)` for each member of object `obj`, in document order
    /// (duplicates included); nothing for `-1` and other kinds.
    @inlinable @inline(__always)
    public func forEachMember(_ obj: Int, _ body: (Int, Int) throws -> Void) rethrows {
        guard obj >= 0 else { return }
        let n = node(obj)
        guard n.kind == .object else { return }
        var cursor = obj &+ 1
        var remaining = Int(n.count)
        while remaining > 0 {
            remaining &-= 1
            let value = cursor &+ 1
            let following = next(value)
            try body(cursor, value)
            cursor = following
        }
    }

    /// Calls `body(keyBytes, valueIndex)` for each member of object `obj`, in order, with the
    /// key's decoded UTF-8 bytes (in place unless the key holds escapes).
    @inlinable @inline(__always)
    public func forEachMemberKey(_ obj: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) rethrows {
        try forEachMember(obj) { k, v in try withStringBytes(k) { try body($0, v) } }
    }

    /// Calls `body(elementIndex)` for each element of array `arr`, in order; nothing for `-1`
    /// and other kinds.
    @inlinable @inline(__always)
    public func forEachElement(_ arr: Int, _ body: (Int) throws -> Void) rethrows {
        guard arr >= 0 else { return }
        let n = node(arr)
        guard n.kind == .array else { return }
        var cursor = arr &+ 1
        var remaining = Int(n.count)
        while remaining > 0 {
            remaining &-= 1
            let following = next(cursor)
            try body(cursor)
            cursor = following
        }
    }

    // MARK: Scalars

    /// `true` or `false`, or nil for other kinds.
    @inlinable
    public func bool(_ i: Int) -> Bool? {
        guard i >= 0 else { return nil }
        switch kind(i) {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    /// A number as `Double` (nearest), or nil.
    public func double(_ i: Int) -> Double? {
        guard i >= 0, kind(i) == .number else { return nil }
        return Double(rawText(i))
    }

    /// A number as `Int64` when it is an integer in range (`30`, `3.0e1`), or nil.
    public func int64(_ i: Int) -> Int64? {
        guard i >= 0, kind(i) == .number else { return nil }
        let text = rawText(i)
        if let v = Int64(text) { return v }
        guard let d = Double(text), d.rounded() == d, abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    // MARK: Bytes helpers

    /// Whether the `n` bytes at `a` and `b` are equal.
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i &+ 8 <= n {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i &+= 1
        }
        return true
    }
}

extension JSONDocument {
    /// Runs `body` with a cursor over this document. The cursor cannot escape `body`.
    @inlinable @inline(__always)
    public func withCursor<R>(_ body: (JSONCursor) throws -> R) rethrows -> R {
        try nodes.withUnsafeBufferPointer { nodes in
            try bytes.withUnsafeBufferPointer { bytes in
                try body(JSONCursor(document: self, nodes: nodes, bytes: bytes))
            }
        }
    }
}
