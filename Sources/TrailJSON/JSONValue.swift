/// A view of one value inside a ``JSONDocument``.
///
/// Cheap to copy (a reference and an index), and escapable: it holds its document. Accessors
/// read through a ``JSONCursor`` and decode lazily: `string` allocates only when called, and
/// comparisons such as ``isString(_:)`` work on the raw bytes. Hot loops that walk many nodes
/// should take one cursor with ``JSONDocument/withCursor(_:)`` instead.
public struct JSONValue: Sendable {
    public let document: JSONDocument
    public let index: Int

    @inlinable public init(document: JSONDocument, index: Int) {
        self.document = document
        self.index = index
    }

    @inlinable public var node: JSONNode { document.nodes[index] }
    @inlinable public var kind: JSONKind { document.nodes[index].kind }
    @inlinable public var isNull: Bool { kind == .null }
    @inlinable public var isObject: Bool { kind == .object }
    @inlinable public var isArray: Bool { kind == .array }

    /// Offset of the value's first byte in the document (for strings, the opening quote).
    public var byteOffset: Int { document.withCursor { $0.byteOffset(index) } }

    /// The value's source text, byte for byte (strings include their quotes).
    public var rawBytes: ArraySlice<UInt8> {
        let n = node
        if n.kind == .string { return document.bytes[(Int(n.start) - 1)...Int(n.end)] }
        return document.bytes[Int(n.start)..<Int(n.end)]
    }

    /// The value's source text as a `String`.
    public var rawText: String { String(decoding: rawBytes, as: UTF8.self) }

    // MARK: Containers

    /// For objects: members; for arrays: elements; otherwise 0.
    @inlinable public var count: Int { Int(node.count) }

    /// The members of an object in document order (duplicates included); empty for other kinds.
    public var members: JSONMembers { JSONMembers(value: self) }

    /// The elements of an array; empty for other kinds.
    public var elements: JSONElements { JSONElements(value: self) }

    /// The value of the last member named `key` (JSON's "last wins"), or nil.
    public subscript(key: String) -> JSONValue? {
        guard kind == .object else { return nil }
        var utf8Key = key
        let found = utf8Key.withUTF8 { keyBytes in document.withCursor { $0.member(index, keyBytes) } }
        return found >= 0 ? JSONValue(document: document, index: found) : nil
    }

    /// Follows a path of object keys: `value["userIdentity", "sessionContext", "sessionIssuer"]`.
    public subscript(first: String, rest: String...) -> JSONValue? {
        var current = self[first]
        for key in rest { current = current?[key] }
        return current
    }

    // MARK: Leaves

    /// The decoded string, or nil when the value is not a string.
    public var string: String? { document.withCursor { $0.string(index) } }

    /// The string's content as UTF-8 bytes with escapes resolved (lone surrogates become U+FFFD).
    public var decodedStringBytes: [UInt8] { document.withCursor { $0.decodedStringBytes(index) } }

    /// Whether the value is a string equal to `text` (compared on bytes, no allocation when the
    /// string has no escapes).
    public func isString(_ text: String) -> Bool {
        guard kind == .string else { return false }
        var t = text
        return t.withUTF8 { stringEquals($0) }
    }

    /// Whether the value is a string whose decoded UTF-8 bytes equal `other`.
    public func stringEquals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        document.withCursor { $0.stringEquals(index, other) }
    }

    /// `true` or `false`, or nil for other kinds.
    public var bool: Bool? { document.withCursor { $0.bool(index) } }

    /// A number's source text (`3.0e2` stays `3.0e2`), or nil.
    public var numberText: String? { kind == .number ? rawText : nil }

    /// A number as `Double` (nearest), or nil.
    public var double: Double? { document.withCursor { $0.double(index) } }

    /// A number as `Int64` when it is an integer in range (`30`, `3.0e1`), or nil.
    public var int64: Int64? { document.withCursor { $0.int64(index) } }

    /// The string, or the number's text, or `true`/`false`; nil for null and containers.
    public var scalarText: String? {
        switch kind {
        case .string: string
        case .number, .true, .false: rawText
        default: nil
        }
    }
}

/// The members of a JSON object, as `(key, value)` pairs in document order.
public struct JSONMembers: Sequence, Sendable {
    let value: JSONValue

    public struct Iterator: IteratorProtocol {
        let document: JSONDocument
        var cursor: Int
        var remaining: Int

        public mutating func next() -> (key: JSONValue, value: JSONValue)? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let keyIndex = cursor
            let valueIndex = cursor + 1
            cursor = document.withCursor { $0.next(valueIndex) }
            return (JSONValue(document: document, index: keyIndex), JSONValue(document: document, index: valueIndex))
        }
    }

    public func makeIterator() -> Iterator {
        let n = value.node
        return Iterator(document: value.document, cursor: value.index + 1, remaining: n.kind == .object ? Int(n.count) : 0)
    }
}

/// The elements of a JSON array, in order.
public struct JSONElements: Sequence, Sendable {
    let value: JSONValue

    public struct Iterator: IteratorProtocol {
        let document: JSONDocument
        var cursor: Int
        var remaining: Int

        public mutating func next() -> JSONValue? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let index = cursor
            cursor = document.withCursor { $0.next(index) }
            return JSONValue(document: document, index: index)
        }
    }

    public func makeIterator() -> Iterator {
        let n = value.node
        return Iterator(document: value.document, cursor: value.index + 1, remaining: n.kind == .array ? Int(n.count) : 0)
    }
}
