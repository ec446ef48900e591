import Testing
import TrailModel
@testable import TrailStore

/// Alerts commit with their file and are marked emitted after printing, so a stop between the
/// two re-prints them instead of losing them.
@Suite struct AlertEmissionTests {
    @Test(arguments: StoreKind.engines) func committedAlertsWaitUntilMarkedEmitted(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let first = Fixture.alert("a-1", rule: "r", severity: .high, event: Fixture.file1Events[0], summary: "one")
        let second = Fixture.alert("a-2", rule: "r", severity: .low, event: Fixture.file1Events[1], summary: "two")
        try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 2), events: Array(Fixture.file1Events.prefix(2)), alerts: [first, second]))
        #expect(try store.unemittedAlerts().map(\.id) == ["a-1", "a-2"])
        #expect(try store.unemittedAlerts().first?.json == first.json)

        try store.markEmitted(["a-1"])
        #expect(try store.unemittedAlerts().map(\.id) == ["a-2"])
        try store.markEmitted(["a-2", "no-such-alert"])
        #expect(try store.unemittedAlerts().isEmpty)
    }

    @Test(arguments: StoreKind.engines) func aRepeatedAlertStaysEmitted(kind: StoreKind) throws {
        let store = try makeStore(kind)
        let alert = Fixture.alert("a-1", rule: "r", severity: .high, event: Fixture.file1Events[0], summary: "one")
        try store.commit(FileCommit(ledger: Fixture.ledger("f1", records: 1), events: [Fixture.file1Events[0]], alerts: [alert]))
        try store.markEmitted(["a-1"])
        // The same alert raised again (a re-delivered record) inserts nothing and stays delivered.
        let again = try store.commit(FileCommit(ledger: Fixture.ledger("f2", records: 1), events: [Fixture.file1Events[0]], alerts: [alert]))
        #expect(again.isEmpty)
        #expect(try store.unemittedAlerts().isEmpty)
    }
}
