/// An error from the store: which database, what it was doing, and what SQLite (or the system) said.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, so callers can choose an exit status.
    public enum Kind: Sendable, Equatable {
        /// The database file does not exist (read commands never create one).
        case notFound
        /// Another process holds the writer lock.
        case locked
        /// The schema is older or newer than this build expects.
        case schema
        /// SQLite reported an error.
        case sqlite
        /// The file is not an SQLite database, or SQLite found it damaged (`SQLITE_NOTADB`,
        /// `SQLITE_CORRUPT`): it cannot be used as a store.
        case damaged
        /// A file-system call failed (creating the file, the lock file).
        case io
        /// A query argument could not be used (bad time, bad CIDR, ...).
        case invalidArgument
        /// A name matched more than one secret or principal; `candidates` lists them.
        case ambiguous
        /// A commit refused by the fencing check: the worker named in the commit no longer holds
        /// the claim on `file` (it stalled past its lease and another worker took the file over).
        /// The whole transaction rolled back; the other worker commits the file.
        case claimLost
        /// The database server could not be reached or refused the login.
        case connection
        /// PostgreSQL reported an error.
        case postgres
    }

    public var kind: Kind
    /// The database path (`:memory:` for an in-memory store).
    public var path: String
    /// What the store was doing: `open`, `commit of <file>`, `query callers`, ...
    public var operation: String
    /// The underlying message (SQLite's, errno's, or the store's own).
    public var message: String
    /// For `.ambiguous`: the matching candidates, one per line in the description.
    public var candidates: [String]
    /// For `.claimLost`: the file whose claim was lost (a group may commit again without it).
    public var file: String? = nil
    /// For a PostgreSQL server error: its SQLSTATE (`40P01`, `23505`, …), also at the start of
    /// ``message``.
    public var sqlState: String? = nil

    public init(_ kind: Kind, path: String, operation: String, message: String, candidates: [String] = []) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.message = message
        self.candidates = candidates
    }

    public var description: String {
        var text = "\(path): \(operation): \(message)"
        for candidate in candidates { text += "\n  " + candidate }
        return text
    }
}
