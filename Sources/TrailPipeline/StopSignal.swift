import Synchronization
import TrailSync

/// A flag that a signal handler sets to ask the pipeline to stop after the file in hand.
public final class StopSignal: Sendable {
    private let requested = Mutex(false)

    public init() {}

    public var isRequested: Bool { requested.locked { $0 } }

    public func request() { requested.locked { $0 = true } }
}
