/// How query results are printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal; an empty result prints `no rows`.
    case table
    /// JSON lines, one object per row; nothing for an empty result.
    case json
    /// RFC 4180 CSV with a header row; nothing for an empty result.
    case csv
}
