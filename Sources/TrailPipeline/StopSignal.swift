import Foundation

/// A flag that a signal handler sets to ask the pipeline to stop after the file in hand.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }
}
