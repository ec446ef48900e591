import Synchronization
import TrailModel
import TrailStore
import TrailSync

/// The file claims one worker holds on a shared store (`claims: true`): it claims each new file
/// before it is read, renews the claims in hand every third of the lease, forgets those its
/// commits consumed, and releases what it gives up (deferred files, files left at shutdown).
///
/// The lease times come from the injected clock `now`; the store never reads a clock.
public final class ClaimKeeper: Sendable {
    public let worker: WorkerID
    /// How long a claim lasts without renewal.
    public let ttl: EventTime.Duration
    private let store: Store
    private let now: @Sendable () -> EventTime
    /// Waits between renewals (tests pass one that moves their clock instead of sleeping).
    private let sleep: @Sendable (Duration) async throws -> Void
    /// Paths claimed and neither committed nor released yet, by their bytes (see `PathKey`).
    private let held = Mutex<[PathKey: String]>([:])

    public init(store: Store, worker: WorkerID, ttl: EventTime.Duration = .seconds(60), now: @escaping @Sendable () -> EventTime,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.store = store
        self.worker = worker
        self.ttl = ttl
        self.now = now
        self.sleep = sleep
    }

    /// The time now, by the clock the leases are judged by.
    public var currentTime: EventTime { now() }

    /// The time between renewals: a third of the lease.
    public var renewalInterval: Duration { .milliseconds(max(1, ttl.milliseconds / 3)) }

    /// Claims `path` for this worker (a claim it holds already is renewed).
    public func claim(_ path: String) throws(StoreError) -> ClaimResult {
        let result = try store.claimFile(path, worker: worker.value, now: now(), ttl: ttl)
        if result == .granted { held.locked { $0[PathKey(path)] = path } }
        return result
    }

    /// Claims each of `paths` in a few statements for the lot; answers in their order.
    public func claim(_ paths: [String]) throws(StoreError) -> [ClaimResult] {
        let results = try store.claimFiles(paths, worker: worker.value, now: now(), ttl: ttl)
        held.locked { held in
            for (path, result) in zip(paths, results) where result == .granted { held[PathKey(path)] = path }
        }
        return results
    }

    /// The paths claimed and not yet committed or released.
    public var inHand: [String] { held.locked { held in held.keys.sorted().compactMap { held[$0] } } }

    /// Renews every claim in hand; returns those lost (taken over after this worker's lease
    /// expired), which are no longer in hand: their commit will be refused.
    @discardableResult
    public func renew() throws(StoreError) -> [String] {
        let paths = inHand
        let lost = try store.renewClaims(worker: worker.value, paths: paths, now: now(), ttl: ttl)
        if !lost.isEmpty { forget(lost) }
        return lost
    }

    /// The claims on `paths` are gone (consumed by their commit, or lost): no longer in hand.
    public func forget(_ paths: some Sequence<String>) {
        held.locked { held in for path in paths { held[PathKey(path)] = nil } }
    }

    /// Gives up the claims on `paths` (files deferred or abandoned), so another worker may take them at once.
    public func release(_ paths: [String]) throws(StoreError) {
        let mine = held.locked { held in paths.filter { held.removeValue(forKey: PathKey($0)) != nil } }
        try store.releaseClaims(worker: worker.value, paths: mine)
    }

    /// Gives up every claim in hand (the end of a run: whatever was not committed is abandoned).
    public func releaseAll() throws(StoreError) {
        try release(inHand)
    }

    /// Renews the claims in hand every third of the lease until cancelled; `onError` hears about
    /// renewals that failed (the next one tries again) and `onLost` about claims lost.
    public func renewUntilCancelled(onLost: @escaping @Sendable ([String]) -> Void, onError: @escaping @Sendable (StoreError) -> Void) async {
        while !Task.isCancelled {
            do {
                try await sleep(renewalInterval)
            } catch {
                return
            }
            do throws(StoreError) {
                let lost = try renew()
                if !lost.isEmpty { onLost(lost) }
            } catch {
                onError(error)
            }
        }
    }
}
