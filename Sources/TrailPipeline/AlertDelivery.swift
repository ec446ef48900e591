import Dispatch
import Synchronization
import TrailSync
import TrailAlerts
import TrailStore

/// Delivers the outbox: one worker task per sink reads that sink's pending rows from the store
/// (a bounded batch at a time, so memory does not grow with the backlog), sends them, and records
/// what became of each (delivered with the time; retried later with backoff; parked as failed with
/// the reason). Ingestion only writes rows and rings ``notify()``; it never waits for a sink.
///
/// Standard output and files get batches in hand-over order, a batch confirmed by its completed
/// write and `fsync`. Webhooks get up to `maxInFlight` requests at once, each alert with its id as
/// `Idempotency-Key`. A restart finds the pending rows and carries on: at-least-once.
public final class AlertDelivery: Sendable {
    /// How delivery behaves; the defaults are the command line's.
    public struct Settings: Sendable {
        public var format: AlertFormat = .json
        /// Bearer token for webhook sinks (not Slack, whose URL is the credential).
        public var token: String?
        public var requestTimeout: Duration = .seconds(10)
        public var maxInFlight = 8
        public var retry = RetryPolicy()
        /// Rows read from the outbox per round.
        public var batch = 256
        /// How often an idle worker looks for due retries (new rows and finished requests wake it at once).
        public var tick: Duration = .milliseconds(50)

        public init() {}
    }

    /// One configured sink and how it is reached.
    struct Sink: Sendable {
        let spec: SinkSpec
        let line: LineEndpoint?
        let http: HTTPEndpoint?
        var name: String { spec.name }
    }

    private let store: Store
    private let sinks: [Sink]
    private let settings: Settings
    private let clock: any Clock<Duration>
    private let wallClock: @Sendable () -> Int64
    private let random: @Sendable () -> Double
    private let log: @Sendable (String) -> Void

    private struct State: Sendable {
        var generation: UInt64 = 0
        var stopping = false
        var workers: [Task<Void, Never>] = []
        var running = 0
        var requests: [Int64: Task<Void, Never>] = [:]
        /// Per sink name: no new request before this wall-clock time (ms). A failed attempt
        /// pauses the whole endpoint, so a dead one costs a few attempts per backoff period,
        /// not one per pending alert.
        var pausedUntil: [String: Int64] = [:]
        /// Per sink name.
        var attempts: [String: Int] = [:]
        var errors: [String: Int] = [:]
    }
    private let state = Mutex(State())
    /// One per sink, rung by `notify()` and by finished requests.
    private let bells: [String: Doorbell]

    /// The names under which the configured sinks keep their rows.
    public var sinkNames: [String] { sinks.map(\.name) }

    /// Opens the sinks (a file sink's file is created with mode 0600 now, so a bad path fails before
    /// anything is ingested). `wallClock` gives milliseconds since the epoch; `random` a number in
    /// `[0, 1)` for the backoff's jitter.
    public init(store: Store, sinks specs: [SinkSpec], settings: Settings = Settings(),
                clock: any Clock<Duration> = ContinuousClock(),
                wallClock: @escaping @Sendable () -> Int64,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                log: @escaping @Sendable (String) -> Void) throws(DeliveryError) {
        var sinks: [Sink] = []
        for spec in specs where !sinks.contains(where: { $0.name == spec.name }) {
            switch spec.kind {
            case .stdout:
                sinks.append(Sink(spec: spec, line: .standardOutput(), http: nil))
            case .file:
                sinks.append(Sink(spec: spec, line: try .appending(to: spec.target, name: spec.name), http: nil))
            case .webhook, .slack:
                let endpoint = try HTTPEndpoint(url: spec.target, name: spec.name, token: spec.kind == .webhook ? settings.token : nil,
                                                timeout: settings.requestTimeout, maxConnections: settings.maxInFlight)
                sinks.append(Sink(spec: spec, line: nil, http: endpoint))
            }
        }
        self.store = store
        self.sinks = sinks
        self.settings = settings
        self.clock = clock
        self.wallClock = wallClock
        self.random = random
        self.log = log
        bells = Dictionary(sinks.map { ($0.name, Doorbell()) }, uniquingKeysWith: { first, _ in first })
    }

    /// Starts one worker per sink.
    public func start() {
        state.locked { $0.running = sinks.count }
        let workers = sinks.map { sink in
            Task.detached { [self] in
                await self.work(sink)
                self.state.locked { $0.running -= 1 }
            }
        }
        state.locked { $0.workers = workers }
    }

    /// New rows are in the outbox.
    public func notify() {
        state.locked { $0.generation &+= 1 }
        for bell in bells.values { bell.ring() }
    }

    /// Delivery attempts made and attempts that failed since start, per sink name.
    public var counters: (attempts: [String: Int], errors: [String: Int]) {
        state.locked { ($0.attempts, $0.errors) }
    }

    /// Waits until no configured sink has a pending row, or `timeout` has passed, then stops the
    /// workers (requests still in flight are abandoned: their rows stay pending for the next run).
    /// Returns the outbox of the configured sinks.
    public func drain(timeout: Duration) async -> [SinkOutbox] {
        notify()
        let names = sinkNames
        await Self.wait(clock, timeout: timeout, tick: settings.tick) { [store] in
            (try? store.outbox(sinks: names))?.allSatisfy { $0.pending == 0 } ?? false
        }
        await stop()
        return (try? store.outbox(sinks: sinkNames)) ?? []
    }

    /// Stops the workers and closes connections. Waits at most `grace` for them: a worker stuck in
    /// a write to a blocked standard output is left behind (its rows stay pending).
    public func stop(grace: Duration = .seconds(2)) async {
        let requests = state.locked { s in
            s.stopping = true
            return Array(s.requests.values)
        }
        for bell in bells.values { bell.ring() }
        for request in requests { request.cancel() }
        await Self.wait(clock, timeout: grace, tick: settings.tick) { [self] in
            self.state.locked { $0.running == 0 && $0.requests.isEmpty }
        }
        for sink in sinks { await sink.http?.shutdown() }
    }

    /// Polls `done` every `tick` until it holds or `timeout` has passed on `clock`.
    private static func wait<C: Clock>(_ clock: C, timeout: Duration, tick: Duration, until done: () -> Bool) async where C.Duration == Duration {
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline, !done() {
            try? await clock.sleep(for: tick)
        }
    }

    private var isStopping: Bool { state.locked { $0.stopping } }

    // MARK: - Workers

    private func work(_ sink: Sink) async {
        var seenGeneration: UInt64 = .max
        var nextDue: Int64 = 0
        while !isStopping {
            let generation = state.locked { $0.generation }
            let now = wallClock()
            if generation != seenGeneration || now >= nextDue {
                seenGeneration = generation
                do {
                    let progressed = try await round(sink, now: now)
                    if progressed {
                        // More may be due at once (a backlog larger than a batch): look again
                        // now, whatever an earlier empty round said the next due time was.
                        nextDue = 0
                        continue
                    }
                    let paused = state.locked { $0.pausedUntil[sink.name] ?? 0 }
                    nextDue = max(try store.nextDeliveryDue(sink: sink.name) ?? .max, paused)
                } catch {
                    log("sink \(sink.name): \(error)")
                    nextDue = now + 1000
                }
            }
            await bells[sink.name]?.wait(upTo: settings.tick, on: clock)
        }
    }

    /// One round: sends what is due. True when it did something (so the worker looks again at once).
    private func round(_ sink: Sink, now: Int64) async throws(StoreError) -> Bool {
        if let line = sink.line {
            let due = try store.dueDeliveries(sink: sink.name, now: now, limit: settings.batch)
            guard !due.isEmpty else { return false }
            let bodies = due.map { settings.format.body(for: sink.spec.kind, alertJSON: $0.json) }
            // A blocking write runs on the sink's own thread, never on the shared task pool.
            let (confirmed, error) = await withCheckedContinuation { continuation in
                line.queue.async { continuation.resume(returning: line.write(bodies)) }
            }
            state.locked { s in
                s.attempts[sink.name, default: 0] += due.count
                if error != nil { s.errors[sink.name, default: 0] += due.count - confirmed }
            }
            try store.markDelivered(sink: sink.name, seqs: due.prefix(confirmed).map(\.seq), at: wallClock())
            if let error {
                let rest = Array(due[confirmed...])
                let delay = settings.retry.delay(afterAttempts: (rest.first?.attempts ?? 0) + 1, unit: random())
                try store.markAttemptFailed(sink: sink.name, seqs: rest.map(\.seq), reason: error, retry: true,
                                            nextAttempt: wallClock() + RetryPolicy.milliseconds(delay))
                log("sink \(sink.name): \(error); \(rest.count) alerts stay pending")
                return false
            }
            return true
        }
        guard let http = sink.http else { return false }
        let (inFlight, paused) = state.locked { (Set($0.requests.keys), $0.pausedUntil[sink.name] ?? 0) }
        guard now >= paused else { return false }
        let room = settings.maxInFlight - inFlight.count
        guard room > 0 else { return false }
        let due = try store.dueDeliveries(sink: sink.name, now: now, limit: room, excluding: inFlight)
        guard !due.isEmpty else { return false }
        for delivery in due {
            let body = settings.format.body(for: sink.spec.kind, alertJSON: delivery.json)
            state.locked { s in
                guard !s.stopping else { return }
                s.attempts[sink.name, default: 0] += 1
                s.requests[delivery.seq] = Task.detached { [self] in
                    let result = await http.post(body, idempotencyKey: delivery.alertID)
                    self.record(result, of: delivery, sink: sink)
                }
            }
        }
        return false
    }

    /// Stores the outcome of one request and frees its slot.
    private func record(_ result: DeliveryResult, of delivery: PendingDelivery, sink: Sink) {
        defer {
            state.locked { s in
                s.requests[delivery.seq] = nil
                s.generation &+= 1
            }
            bells[sink.name]?.ring()
        }
        // A request abandoned at stop leaves its row pending.
        if Task.isCancelled { return }
        do throws(StoreError) {
            switch result {
            case .delivered:
                state.locked { $0.pausedUntil[sink.name] = nil }
                try store.markDelivered(sink: sink.name, seqs: [delivery.seq], at: wallClock())
            case let .retry(reason, notBefore):
                state.locked { $0.errors[sink.name, default: 0] += 1 }
                let delay = settings.retry.delay(afterAttempts: delivery.attempts + 1, retryAfter: notBefore, unit: random())
                let next = wallClock() + RetryPolicy.milliseconds(delay)
                state.locked { $0.pausedUntil[sink.name] = max($0.pausedUntil[sink.name] ?? 0, next) }
                try store.markAttemptFailed(sink: sink.name, seqs: [delivery.seq], reason: reason, retry: true, nextAttempt: next)
            case let .failed(reason):
                state.locked { $0.errors[sink.name, default: 0] += 1 }
                try store.markAttemptFailed(sink: sink.name, seqs: [delivery.seq], reason: reason, retry: false, nextAttempt: 0)
                log("sink \(sink.name): alert \(delivery.alertID) failed: \(reason)")
            }
        } catch {
            log("sink \(sink.name): \(error)")
        }
    }
}
