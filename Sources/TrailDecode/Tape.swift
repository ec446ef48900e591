import TrailJSON

/// The decoder's name for TrailJSON's ``JSONCursor``: the one, non-escapable way to walk a
/// parsed document's tape (see ``JSONDocument/withCursor(_:)``). Types holding one are
/// `~Escapable` too, so no tape outlives its document.
typealias Tape = JSONCursor

extension JSONCursor {
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

    /// `true`/`false`, or the strings `"true"`/`"false"`; nil otherwise.
    func lenientBool(_ i: Int) -> Bool? {
        guard i >= 0 else { return nil }
        switch kind(i) {
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
        switch kind(i) {
        case .number:
            guard let v = int64(i) else { return nil }
            return Int(exactly: v)
        case .string:
            guard let s = string(i) else { return nil }
            return Int(s.trimmingSpaces)
        default: return nil
        }
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
