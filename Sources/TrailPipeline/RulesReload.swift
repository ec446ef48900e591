import Synchronization
import TrailSync

/// A request to reload the rules (SIGHUP), taken by `tail` between ingestions. The new rules are
/// loaded and checked first; when they are invalid the old ones stay in force and the error is
/// logged.
public final class RulesReload: Sendable {
    private let requested = Mutex(false)
    let load: @Sendable () throws(PipelineError) -> RuleBook

    /// `load` reads and validates the rules (the same way as at start-up).
    public init(load: @escaping @Sendable () throws(PipelineError) -> RuleBook) {
        self.load = load
    }

    /// Asks for a reload (from a signal handler's queue).
    public func request() {
        requested.locked { $0 = true }
    }

    /// Whether a reload was asked for since the last call.
    func take() -> Bool {
        requested.locked { value in
            defer { value = false }
            return value
        }
    }
}
