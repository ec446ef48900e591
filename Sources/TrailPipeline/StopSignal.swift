import Synchronization

/// A flag that a signal handler sets to ask the pipeline to stop after the file in hand.
public final class StopSignal: Sendable {
    private let requested = Mutex(false)

    public init() {}

    public var isRequested: Bool { requested.withLock { $0 } }

    public func request() { requested.withLock { $0 = true } }
}
