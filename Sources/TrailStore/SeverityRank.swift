import TrailModel

/// Severity as a number for SQL comparisons (`--severity high` = rank >= 3).
package enum SeverityRank {
    package static func rank(_ s: Severity) -> Int64 {
        Int64(Severity.allCases.firstIndex(of: s) ?? 0)
    }
}
