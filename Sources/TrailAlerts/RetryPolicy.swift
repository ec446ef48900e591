/// What became of one attempt to deliver an alert.
public enum DeliveryResult: Sendable, Equatable {
    /// The sink confirmed it (a 2xx answer; a completed, synced write).
    case delivered
    /// A passing failure (connection error, timeout, 408, 429, 5xx, a failed write): try again,
    /// not before `notBefore` when the sink said so (`Retry-After`).
    case retry(reason: String, notBefore: Duration?)
    /// A failure that repeating will not fix (another 4xx, a redirect): park the alert as failed.
    case failed(reason: String)
}

/// Exponential backoff with full jitter: the n-th retry waits a random time in
/// `[0, min(cap, initial × 2^(n-1))]`, and never less than a `Retry-After` the sink asked for
/// (itself capped at `maxRetryAfter`, so a hostile answer cannot park an alert for ever).
public struct RetryPolicy: Sendable, Equatable {
    public var initial: Duration
    public var cap: Duration
    public var maxRetryAfter: Duration

    public init(initial: Duration = .seconds(1), cap: Duration = .seconds(300), maxRetryAfter: Duration = .seconds(3600)) {
        self.initial = initial
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before the next attempt after `attempts` failed ones (1 = the first failure).
    /// `unit` is a random number in `[0, 1)` (injected, so tests choose it).
    public func delay(afterAttempts attempts: Int, retryAfter: Duration? = nil, unit: Double) -> Duration {
        let exponent = min(max(attempts - 1, 0), 40)
        let initialMs = Double(Self.milliseconds(initial))
        let ceiling = min(Double(Self.milliseconds(cap)), initialMs * Double(1 << UInt64(min(exponent, 40))))
        var ms = Int64((ceiling * min(max(unit, 0), 1)).rounded(.down))
        if let retryAfter {
            ms = max(ms, min(Self.milliseconds(retryAfter), Self.milliseconds(maxRetryAfter)))
        }
        return .milliseconds(ms)
    }

    /// `d` in whole milliseconds, saturating at `Int64`'s bounds (a `Retry-After` of 10^16
    /// seconds is a sink's word, not a reason to trap).
    public static func milliseconds(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        let (whole, o1) = seconds.multipliedReportingOverflow(by: 1000)
        let (sum, o2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return o1 || o2 ? (seconds < 0 ? .min : .max) : sum
    }

    /// How an HTTP status is handled: 2xx delivered; 408, 429, 5xx retried; redirects and other
    /// statuses parked as failed.
    public static func classify(status: Int, reason: @autoclosure () -> String, retryAfter: Duration?) -> DeliveryResult {
        switch status {
        case 200..<300: .delivered
        case 408, 429, 500..<600: .retry(reason: reason(), notBefore: retryAfter)
        default: .failed(reason: reason())
        }
    }
}
