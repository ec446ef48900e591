import TrailJSON

/// Unchecked, allocation-free access to a parsed document's tape for the hot path.
///
/// Valid only inside ``Tape/with(_:_:)``; indexes come from the tape itself, so every access
/// stays in bounds by construction of the parser.
struct Tape {
    /// Unowned: a tape lives only inside `with`, which keeps the document alive; this spares a
    /// retain and release each time a tape is passed along.
    unowned(unsafe) let document: JSONDocument
    let nodes: UnsafeBufferPointer<JSONNode>
    let bytes: UnsafeBufferPointer<UInt8>
    /// Start of `bytes` (a parsed document is never empty).
    let base: UnsafePointer<UInt8>

    /// Runs `body` with a tape over `document`.
    @inline(__always)
    static func with<R>(_ document: JSONDocument, _ body: (Tape) -> R) -> R {
        document.nodes.withUnsafeBufferPointer { nodes in
            document.bytes.withUnsafeBufferPointer { bytes in
                // JSONDocument rejects empty input, so the buffer has an address.
                body(Tape(document: document, nodes: nodes, bytes: bytes, base: bytes.baseAddress!))
            }
        }
    }

    @inline(__always) func kind(_ i: Int) -> JSONKind { nodes[i].kind }
    @inline(__always) func next(_ i: Int) -> Int { Int(nodes[i].next) }
    @inline(__always) func count(_ i: Int) -> Int { Int(nodes[i].count) }

    /// Offset of the value's first byte (a string's opening quote).
    @inline(__always) func byteOffset(_ i: Int) -> Int {
        let n = nodes[i]
        return n.kind == .string ? Int(n.start) - 1 : Int(n.start)
    }

    /// Whether node `i` is a string whose content equals `literal` (escaped strings are decoded).
    @inline(__always)
    func isString(_ i: Int, _ literal: StaticString) -> Bool {
        guard i >= 0 else { return false }
        let n = nodes[i]
        guard n.kind == .string else { return false }
        let len = Int(n.end &- n.start)
        if n.hasEscapes { return JSONValue(document: document, index: i).isString(literal.description) }
        guard len == literal.utf8CodeUnitCount else { return false }
        return Tape.equal(base + Int(n.start), literal.utf8Start, len)
    }

    /// The raw content of a string node without escapes (nil for other kinds or escaped strings).
    @inline(__always)
    func plainBytes(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
        guard i >= 0 else { return nil }
        let n = nodes[i]
        guard n.kind == .string, !n.hasEscapes else { return nil }
        return UnsafeBufferPointer(start: base + Int(n.start), count: Int(n.end &- n.start))
    }

    /// String content length in raw bytes (escapes not resolved); -1 for non-strings.
    @inline(__always)
    func rawStringLength(_ i: Int) -> Int {
        guard i >= 0 else { return -1 }
        let n = nodes[i]
        return n.kind == .string ? Int(n.end &- n.start) : -1
    }

    /// The decoded string, or nil when node `i` is not a string.
    @inline(__always)
    func string(_ i: Int) -> String? {
        guard i >= 0 else { return nil }
        let n = nodes[i]
        guard n.kind == .string else { return nil }
        if n.hasEscapes { return JSONValue(document: document, index: i).string }
        return String(decoding: UnsafeBufferPointer(start: base + Int(n.start), count: Int(n.end &- n.start)), as: UTF8.self)
    }

    /// The decoded string when it is non-empty, else nil.
    @inline(__always)
    func nonEmptyString(_ i: Int) -> String? {
        guard i >= 0 else { return nil }
        let n = nodes[i]
        guard n.kind == .string, n.end > n.start else { return nil }
        return string(i)
    }

    /// The string at `i`, taken from `table` (no allocation) when it equals one of its entries.
    @inline(__always)
    func internedString(_ i: Int, _ table: InternTable) -> String? { interned(i, table)?.string }

    /// The string at `i` and its index in `table` (-1 when not in the table); nil for non-strings.
    @inline(__always)
    func interned(_ i: Int, _ table: InternTable) -> (string: String, index: Int)? {
        guard i >= 0 else { return nil }
        guard let raw = plainBytes(i), let start = raw.baseAddress else { return string(i).map { ($0, table.index(of: $0)) } }
        for (k, entry) in table.entries.enumerated() where entry.bytes.utf8CodeUnitCount == raw.count {
            if Tape.equal(start, entry.bytes.utf8Start, raw.count) { return (entry.string, k) }
        }
        return (String(decoding: raw, as: UTF8.self), -1)
    }

    /// The value's JSON source text.
    func rawText(_ i: Int) -> String { JSONValue(document: document, index: i).rawText }

    /// The value of the last member of object `obj` named `key`, or -1.
    @inline(__always)
    func member(_ obj: Int, _ key: StaticString) -> Int {
        guard obj >= 0, nodes[obj].kind == .object else { return -1 }
        var found = -1
        var cursor = obj + 1
        var remaining = Int(nodes[obj].count)
        while remaining > 0 {
            remaining -= 1
            if isString(cursor, key) { found = cursor + 1 }
            cursor = Int(nodes[cursor + 1].next)
        }
        return found
    }

    /// Calls `body(keyIndex, valueIndex)` for each member of object `obj`, in order.
    @inline(__always)
    func forEachMember(_ obj: Int, _ body: (Int, Int) -> Void) {
        guard obj >= 0, nodes[obj].kind == .object else { return }
        var cursor = obj + 1
        var remaining = Int(nodes[obj].count)
        while remaining > 0 {
            remaining -= 1
            body(cursor, cursor + 1)
            cursor = Int(nodes[cursor + 1].next)
        }
    }

    /// Calls `body(keyBytes, valueIndex)` for each member of object `obj`, in order, with the
    /// key's decoded UTF-8 bytes (taken in place unless the key holds escapes).
    @inline(__always)
    func forEachMemberKey(_ obj: Int, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        forEachMember(obj) { k, v in
            if let raw = plainBytes(k) {
                body(raw, v)
            } else {
                JSONValue(document: document, index: k).decodedStringBytes.withUnsafeBufferPointer { body($0, v) }
            }
        }
    }

    /// Calls `body(elementIndex)` for each element of array `arr`, in order.
    @inline(__always)
    func forEachElement(_ arr: Int, _ body: (Int) -> Void) {
        guard arr >= 0, nodes[arr].kind == .array else { return }
        var cursor = arr + 1
        var remaining = Int(nodes[arr].count)
        while remaining > 0 {
            remaining -= 1
            body(cursor)
            cursor = Int(nodes[cursor].next)
        }
    }

    /// `true`/`false`, or the strings `"true"`/`"false"`; nil otherwise.
    func lenientBool(_ i: Int) -> Bool? {
        guard i >= 0 else { return nil }
        switch nodes[i].kind {
        case .true: return true
        case .false: return false
        case .string:
            if isString(i, "true") { return true }
            if isString(i, "false") { return false }
            return nil
        default: return nil
        }
    }

    /// An integer number, or a string holding one; nil otherwise.
    func lenientInt(_ i: Int) -> Int? {
        guard i >= 0 else { return nil }
        switch nodes[i].kind {
        case .number:
            guard let v = JSONValue(document: document, index: i).int64 else { return nil }
            return Int(exactly: v)
        case .string:
            guard let s = string(i) else { return nil }
            return Int(s.trimmingSpaces)
        default: return nil
        }
    }

    /// Compares `n` bytes.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
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

/// Frequent field values, kept as ready-made strings so that decoding them allocates nothing.
struct InternTable: Sendable {
    struct Entry: Sendable {
        let bytes: StaticString
        let string: String
    }
    let entries: [Entry]
    init(_ values: [StaticString]) { entries = values.map { Entry(bytes: $0, string: $0.description) } }

    /// Index of `s` in the table, or -1.
    func index(of s: String) -> Int { entries.firstIndex { $0.string == s } ?? -1 }
}

/// Byte-level helpers for the strings the normaliser takes apart.
enum Bytes {
    /// Index of the last `byte` in `buffer`, or nil.
    @inline(__always)
    static func lastIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = buffer.count - 1
        while i >= 0 {
            if buffer[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// Index of the first `byte` in `buffer`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < buffer.count {
            if buffer[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Whether `buffer` contains `needle`.
    static func contains(_ buffer: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard n > 0, buffer.count >= n, let base = buffer.baseAddress else { return n == 0 }
        let first = needle.utf8Start[0]
        var i = 0
        while i + n <= buffer.count {
            if base[i] == first, Tape.equal(base + i, needle.utf8Start, n) { return true }
            i += 1
        }
        return false
    }

    /// Whether `buffer` starts with `prefix`.
    @inline(__always)
    static func hasPrefix(_ buffer: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard buffer.count >= prefix.utf8CodeUnitCount, let base = buffer.baseAddress else { return prefix.utf8CodeUnitCount == 0 }
        return Tape.equal(base, prefix.utf8Start, prefix.utf8CodeUnitCount)
    }

    /// A string from `buffer[range]`.
    @inline(__always)
    static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces.
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
