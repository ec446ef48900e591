/// The kind of a JSON value.
public enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null

    /// Whether the value is a leaf: a string, number, `true`, `false` or `null`.
    @inlinable public var isLeaf: Bool { self != .object && self != .array }
}

/// One node of a parsed document's tape: a value, or an object member's key.
///
/// Containers are followed by their children (an object's children alternate key, value);
/// `next` is the index of the node after the whole subtree, so siblings are skipped in O(1).
public struct JSONNode: Sendable {
    public var kind: JSONKind
    /// For strings: whether the raw text contains backslash escapes.
    public var hasEscapes: Bool
    /// For strings: the first byte after the opening quote; otherwise the value's first byte.
    public var start: UInt32
    /// For strings: the closing quote's offset; otherwise one past the value's last byte.
    public var end: UInt32
    /// Index of the first node after this node's subtree.
    public var next: UInt32
    /// For objects: the number of members; for arrays: the number of elements.
    public var count: UInt32
}
