import ArgumentParser

/// The accepted range of every numeric option, checked in `validate()`: a value outside it is a
/// usage error (exit 2) naming the option and the range, never an overflow later on.
enum OptionRange {
    /// `query unused --days`: up to 100 years.
    static let days = 0...36_500
    /// `--limit` of the read commands (0 = all).
    static let limit = 0...1_000_000_000
    /// `--jobs` of backfill and tail.
    static let jobs = 1...256
    /// `tail --poll-interval`, seconds.
    static let pollInterval = 0.01...3_600.0
    /// `tail --incomplete-timeout`, seconds (up to a week).
    static let incompleteTimeout = 0.1...604_800.0
    /// The hidden `--index-retry-interval` of tail, seconds.
    static let indexRetryInterval = 0.05...86_400.0
    /// `--claim-ttl` of backfill and tail, seconds (renewed every third of it).
    static let claimTTL = 3.0...3_600.0
    /// `pattern bench --passes`.
    static let passes = 1...1_000
    /// `pattern bench --chunk` (0 = skip).
    static let chunk = 0...10_000_000

    /// Throws a validation error when `value` is outside `range`.
    static func check<T: Comparable>(_ option: String, _ value: T, _ range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
    }
}
