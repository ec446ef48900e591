import Synchronization
import TrailSync
import TrailModel
import TrailStore

/// The console's read side: the read-only store and the clock, shared by pages and API calls.
///
/// The clock is injected so tests are exact; pages never read the wall clock themselves.
public struct Console: Sendable {
    /// Read-only connections to the same store, taken in turn, so that requests read in parallel
    /// (one SQLite connection answers one query at a time).
    public let stores: [Store]
    public let clock: @Sendable () -> EventTime
    /// Largest body an `/api/…` list answers with: rows past it are left off and the response says
    /// so (`X-TrailWatch-Truncated`).
    public var apiByteBudget = 4 << 20
    /// The running binary's gunzip, as `status` names it (nil leaves it out of `/api/status`).
    public var inflater: String?
    /// Rendered pages and API answers, reused while the store's files are unchanged (at most 2 s,
    /// for times relative to now); nil to render every request.
    var cache: PageCache?
    private let next = Counter()

    /// The first connection.
    public var store: Store { stores[0] }

    /// `stores` must be opened read-only (`Store.open(path:readOnly: true)`), all on the same file:
    /// nothing the console serves can write.
    public init(stores: [Store], clock: @escaping @Sendable () -> EventTime) {
        precondition(!stores.isEmpty && stores.allSatisfy { $0.readOnly }, "the console reads stores opened read-only")
        self.stores = stores
        self.clock = clock
        self.cache = PageCache(path: stores[0].path)
    }

    /// One read-only connection.
    public init(store: Store, clock: @escaping @Sendable () -> EventTime) {
        self.init(stores: [store], clock: clock)
    }

    func service() -> QueryService { QueryService(store: stores[next.take() % stores.count], now: clock()) }

    /// A shared turn counter.
    private final class Counter: Sendable {
        private let value = Mutex(0)
        func take() -> Int { value.locked { v in defer { v &+= 1 }; return v & Int.max } }
    }

    /// A day number (days since 1970-01-01 UTC).
    static func day(_ t: EventTime) -> Int64 {
        let ms = t.milliseconds
        return ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
    }
}
