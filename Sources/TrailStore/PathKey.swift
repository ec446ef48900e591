/// A file path as the file system and both stores compare it: byte for byte.
///
/// Swift's `String` equality (and so a `Set<String>` or `[String: …]`) calls canonically
/// equivalent spellings equal: `café` with a precomposed `é` and with `e` plus U+0301 are one
/// string to Swift, two files on disk and two rows in the ledger. Anything that matches paths
/// from different places (the store's answers to what was asked, claims in hand, a group's
/// files) keys them by ``PathKey``. Its order is the bytes' order, which is the order of the
/// stores' `path` columns (SQLite's BINARY, PostgreSQL's `"C"`).
public struct PathKey: Hashable, Comparable, Sendable {
    public let bytes: [UInt8]

    public init(_ path: String) {
        bytes = Array(path.utf8)
    }

    public static func < (a: PathKey, b: PathKey) -> Bool {
        a.bytes.lexicographicallyPrecedes(b.bytes)
    }
}
