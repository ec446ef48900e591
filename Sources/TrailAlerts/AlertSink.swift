/// Somewhere alerts go once their file has committed: standard output, a file, a webhook.
///
/// `emit` receives one alert as a compact JSON line (no trailing newline). Sinks must not throw:
/// a failing sink reports on standard error and the pipeline goes on (the alert is in the store).
public protocol AlertSink: AnyObject, Sendable {
    func emit(_ jsonLine: String)
    /// Flushes buffered output; called after each file.
    func flush()
    /// Delivers everything still queued; called once at exit.
    func close()
}

extension AlertSink {
    public func close() { flush() }
}

/// Sends each alert to several sinks in turn.
public final class FanOutSink: AlertSink {
    private let sinks: [AlertSink]

    public init(_ sinks: [AlertSink]) { self.sinks = sinks }

    public func emit(_ jsonLine: String) { for sink in sinks { sink.emit(jsonLine) } }
    public func flush() { for sink in sinks { sink.flush() } }
    public func close() { for sink in sinks { sink.close() } }
}
