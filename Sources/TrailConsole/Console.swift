import TrailModel
import TrailStore

/// The console's read side: the read-only store and the clock, shared by pages and API calls.
///
/// The clock is injected so tests are exact; pages never read the wall clock themselves.
public struct Console: Sendable {
    public let store: Store
    public let clock: @Sendable () -> EventTime

    /// `store` must be opened read-only (`Store.open(path:readOnly: true)`): nothing the console
    /// serves can write.
    public init(store: Store, clock: @escaping @Sendable () -> EventTime) {
        precondition(store.readOnly || store.path == ":memory:", "the console reads a store opened read-only")
        self.store = store
        self.clock = clock
    }

    func service() -> QueryService { QueryService(store: store, now: clock()) }

    /// A day number (days since 1970-01-01 UTC).
    static func day(_ t: EventTime) -> Int64 {
        let ms = t.milliseconds
        return ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
    }
}
