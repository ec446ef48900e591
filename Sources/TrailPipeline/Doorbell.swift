import Synchronization
import TrailSync

/// Wakes a delivery worker as soon as there is something to do (new rows, a finished request),
/// or after a timeout, whichever comes first. One waiter at a time.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    func ring() {
        let waiter = state.locked { s -> CheckedContinuation<Void, Never>? in
            if let waiter = s.waiter {
                s.waiter = nil
                return waiter
            }
            s.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when rung (now or earlier, since the last wait) or after `timeout` on `clock`.
    func wait<C: Clock>(upTo timeout: Duration, on clock: C) async where C.Duration == Duration {
        let timer = Task { [self] in
            try? await clock.sleep(for: timeout)
            if !Task.isCancelled { ring() }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = state.locked { s -> Bool in
                if s.rung {
                    s.rung = false
                    return true
                }
                s.waiter = continuation
                return false
            }
            if already { continuation.resume() }
        }
        timer.cancel()
    }
}
