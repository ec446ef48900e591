/// How failed requests are retried: up to `maxAttempts` in all, waiting a random time in
/// `0...min(cap, base × 2^attempt)` between attempts ("full jitter").
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// Waits the given seconds; injected so tests do not sleep on the real clock.
    public var sleep: @Sendable (Double) async -> Void
    /// A number in 0..<1; injected for reproducible tests.
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.1, maxDelay: Double = 10,
                sleep: @escaping @Sendable (Double) async -> Void = { seconds in
                    try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
                },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
        self.random = random
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func delay(after attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt, 20)))
        return ceiling * random()
    }

    /// True for statuses and S3 error codes worth another attempt.
    public static func isRetryable(status: Int, code: String?) -> Bool {
        if [500, 502, 503, 504, 429].contains(status) { return true }
        return ["SlowDown", "InternalError", "RequestTimeout", "ServiceUnavailable", "Throttling", "RequestTimeTooSkewed"].contains(code ?? "")
    }
}
