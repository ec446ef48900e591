import Testing
import TrailModel
@testable import TrailStore

/// The store is the outbox: per-sink delivery rows, handed over in commit order, confirmed,
/// retried, parked and re-queued.
@Suite struct OutboxTests {
    private func storeWithAlerts(_ kind: StoreKind) throws -> Store {
        let store = try makeStore(kind)
        let first = Fixture.alert("a-1", rule: "r", severity: .high, event: Fixture.file1Events[0], summary: "one")
        let second = Fixture.alert("a-2", rule: "r", severity: .low, event: Fixture.file1Events[1], summary: "two")
        try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 2), events: Array(Fixture.file1Events.prefix(2)), alerts: [first, second]))
        return store
    }

    @Test(arguments: StoreKind.engines) func handOverQueuesEverySinkInOrderAndMarksEmitted(kind: StoreKind) throws {
        let store = try storeWithAlerts(kind)
        try store.enqueueDeliveries(["a-2", "a-1"], sinks: ["stdout", "webhook:x"], now: 100)
        #expect(try store.unemittedAlerts().isEmpty)
        #expect(try store.dueDeliveries(sink: "stdout", now: 100, limit: 10).map(\.alertID) == ["a-2", "a-1"])
        #expect(try store.dueDeliveries(sink: "webhook:x", now: 100, limit: 1).map(\.alertID) == ["a-2"])
        // Handing over again adds nothing.
        try store.enqueueDeliveries(["a-1"], sinks: ["stdout"], now: 200)
        #expect(try store.outbox(sinks: ["stdout"]) == [SinkOutbox(sink: "stdout", pending: 2, failed: 0, delivered: 0, oldestPending: 100)])
    }

    /// An alert a sink keeps refusing (a 500 for its payload) must not be taken before the
    /// alerts behind it at every round: fresh deliveries come first, retries as they fall due.
    @Test(arguments: StoreKind.engines) func freshDeliveriesComeBeforeRetriesThatFellDue(kind: StoreKind) throws {
        let store = try storeWithAlerts(kind)
        try store.enqueueDeliveries(["a-1", "a-2"], sinks: ["w"], now: 0)
        let first = try #require(try store.dueDeliveries(sink: "w", now: 0, limit: 1).first)
        #expect(first.alertID == "a-1")
        try store.markAttemptFailed(sink: "w", seqs: [first.seq], reason: "HTTP 500", retry: true, nextAttempt: 10)
        #expect(try store.dueDeliveries(sink: "w", now: 20, limit: 1).map(\.alertID) == ["a-2"])
    }

    @Test(arguments: StoreKind.engines) func unemittedAlertsAreHandedOverOnce(kind: StoreKind) throws {
        let store = try storeWithAlerts(kind)
        #expect(try store.enqueueUnemitted(sinks: ["stdout"], now: 5) == 2)
        #expect(try store.enqueueUnemitted(sinks: ["stdout"], now: 6) == 0)
        #expect(try store.dueDeliveries(sink: "stdout", now: 5, limit: 10).count == 2)
    }

    /// On one writer's store, reading the outbox takes nothing: the same deliveries are due until
    /// settled. (A shared store leases them: see the next test.)
    @Test(arguments: [StoreKind.memory]) func confirmedRetriedAndParkedDeliveries(kind: StoreKind) throws {
        let store = try storeWithAlerts(kind)
        try store.enqueueDeliveries(["a-1", "a-2"], sinks: ["w"], now: 0)
        let due = try store.dueDeliveries(sink: "w", now: 0, limit: 10)
        #expect(due.map(\.attempts) == [0, 0])
        #expect(try store.dueDeliveries(sink: "w", now: 0, limit: 10, excluding: [due[0].seq]).map(\.alertID) == ["a-2"])

        try store.markAttemptFailed(sink: "w", seqs: [due[0].seq], reason: "HTTP 503: busy", retry: true, nextAttempt: 1000)
        #expect(try store.dueDeliveries(sink: "w", now: 999, limit: 10).map(\.alertID) == ["a-2"])
        // Fresh first (a-2, due at 0), then the retry that fell due (a-1).
        #expect(try store.dueDeliveries(sink: "w", now: 1000, limit: 10).map(\.attempts) == [0, 1])
        #expect(try store.nextDeliveryDue(sink: "w") == 0)

        try store.markAttemptFailed(sink: "w", seqs: [due[1].seq], reason: "HTTP 400: bad", retry: false, nextAttempt: 0)
        try store.markDelivered(sink: "w", seqs: [due[0].seq], at: 2000)
        #expect(try store.outbox() == [SinkOutbox(sink: "w", pending: 0, failed: 1, delivered: 1, oldestPending: nil)])
        let undelivered = try store.undeliveredAlerts(sink: "w", limit: 0)
        #expect(undelivered.map(\.alertID) == ["a-2"])
        #expect(undelivered.first?.state == "failed")
        #expect(undelivered.first?.reason == "HTTP 400: bad")
        #expect(try store.undeliveredAlerts(sink: "other", limit: 0).isEmpty)

        // A delivered row is never downgraded by a late failure report.
        try store.markAttemptFailed(sink: "w", seqs: [due[0].seq], reason: "late", retry: true, nextAttempt: 0)
        #expect(try store.outbox().first?.delivered == 1)

        #expect(try store.requeueDeliveries(sink: "w") == 1)
        #expect(try store.dueDeliveries(sink: "w", now: 0, limit: 10).map(\.alertID) == ["a-2"])
        #expect(try store.nextDeliveryDue(sink: "w") == 0)
    }

    @Test(arguments: StoreKind.engines) func requeueBySinceKeepsOlderAlertsParked(kind: StoreKind) throws {
        let store = try storeWithAlerts(kind)
        try store.enqueueDeliveries(["a-1", "a-2"], sinks: ["w"], now: 0)
        let due = try store.dueDeliveries(sink: "w", now: 0, limit: 10)
        try store.markAttemptFailed(sink: "w", seqs: due.map(\.seq), reason: "x", retry: false, nextAttempt: 0)
        let times = Fixture.file1Events.prefix(2).map(\.eventTime.milliseconds)
        #expect(try store.requeueDeliveries(since: times.max()!) == (times[0] == times[1] ? 2 : 1))
    }

    /// Several workers on one PostgreSQL store: a delivery taken by one is not handed to another
    /// until its lease ends (then it is: at-least-once when the first worker died).
    @Test func aSharedStoreLeasesDeliveriesToOneWorkerAtATime() throws {
        let store = try storeWithAlerts(.postgres)
        let other = Store(backend: store.backend)
        try store.enqueueDeliveries(["a-1", "a-2"], sinks: ["w"], now: 0)
        let first = try store.dueDeliveries(sink: "w", now: 10, limit: 1)
        #expect(first.map(\.alertID) == ["a-1"])
        #expect(try other.dueDeliveries(sink: "w", now: 10, limit: 10).map(\.alertID) == ["a-2"])
        #expect(try other.dueDeliveries(sink: "w", now: 10, limit: 10).isEmpty)
        try store.markDelivered(sink: "w", seqs: first.map(\.seq), at: 20)
        // The second worker died holding a-2: it is due again once the lease ends.
        #expect(try store.dueDeliveries(sink: "w", now: 10 + Store.deliveryLease - 1, limit: 10).isEmpty)
        #expect(try store.dueDeliveries(sink: "w", now: 10 + Store.deliveryLease, limit: 10).map(\.alertID) == ["a-2"])
    }
}
