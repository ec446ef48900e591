import TrailModel

/// Query output before formatting: named columns and typed cells.
public struct ResultTable: Sendable, Equatable {
    /// One column: its JSON/CSV key, its table title, and whether the table format shows it
    /// (long identifiers such as full ARNs appear in JSON and CSV only).
    public struct Column: Sendable, Equatable {
        public var key: String
        public var title: String
        public var inTable: Bool
        public init(_ key: String, _ title: String, inTable: Bool = true) {
            self.key = key
            self.title = title
            self.inTable = inTable
        }
    }

    public var columns: [Column]
    public var rows: [[Cell]]
    /// Remarks for standard error (for example: no secret matches the name given).
    public var notes: [String]

    public init(columns: [Column], rows: [[Cell]] = [], notes: [String] = []) {
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }
}

/// One value of a result row.
public enum Cell: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case time(EventTime)
    case bool(Bool)
    case list([String])
    case null

    static func optional(_ s: String?) -> Cell { s.map(Cell.text) ?? .null }
    static func optionalTime(_ t: Int64?) -> Cell { t.map { .time(EventTime(milliseconds: $0)) } ?? .null }
}
