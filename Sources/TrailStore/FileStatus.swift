/// What became of a file in the ledger.
public enum FileStatus: String, Sendable, Hashable, CaseIterable {
    /// Read completely; its records (and alerts) are stored.
    case done
    /// Could not be read; `reason` says why. A later run retries it.
    case failed
    /// Recognised as not holding records (digest, Insight, other JSON); never retried.
    case skipped
}
