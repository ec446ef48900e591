import Foundation
import Synchronization
import TrailSync
import Testing
@testable import TrailConsole
import TrailModel
import TrailStore

@Suite struct PageCacheTests {
    @Test func repeatedRequestsAreServedFromTheCacheUntilTheStoreChanges() async throws {
        let console = try ConsoleFixture.console()
        let cache = try #require(console.cache)
        let router = console.router(token: nil)
        let first = try await ConsoleFixture.get(router, "/api/query/access?secret=prod%2Fdb")
        let second = try await ConsoleFixture.get(router, "/api/query/access?secret=prod%2Fdb")
        #expect(second.body == first.body && cache.hits == 1)
        _ = try await ConsoleFixture.get(router, "/alerts")
        #expect(cache.hits == 1, "another URL is not a hit")

        // tail commits to the same store: the next request reads it.
        let f = ConsoleFixture.self
        let writer = try Store.open(path: console.store.path)
        let event = f.event("e9", "2024-05-09T10:00:00Z", "GetSecretValue", f.app, [f.secret])
        try writer.commit(FileCommit(ledger: FileLedgerEntry(path: "more.json.gz", size: 1, fingerprint: "fp9", format: "cloudTrailLog", records: 1,
                                                             status: .done, ingestedAt: f.now, newestEventTime: event.eventTime),
                                     events: [event], alerts: [], learnedSecrets: [f.secret]))
        let third = try await ConsoleFixture.get(router, "/api/query/access?secret=prod%2Fdb")
        #expect(third.body.contains("\"e9\"") || third.body.contains("2024-05-09T10:00:00Z"), "\(third.body)")
        #expect(third.body != first.body && cache.hits == 1)
    }

    @Test func entriesExpireAndTheCacheIsBounded() {
        let cache = PageCache(path: "/nonexistent", maxAgeMilliseconds: 2_000, maxEntries: 2, maxBytes: 1_000)
        let v = cache.version()
        cache.put("a", body: "A", lines: false, version: v, now: EventTime(milliseconds: 10_000))
        #expect(cache.get("a", version: v, now: EventTime(milliseconds: 11_999))?.body == "A")
        #expect(cache.get("a", version: v, now: EventTime(milliseconds: 12_000)) == nil, "older than 2 s")
        #expect(cache.get("a", version: PageCache.Version(fields: [1]), now: EventTime(milliseconds: 10_000)) == nil, "store changed")
        cache.put("b", body: "B", lines: false, version: v, now: EventTime(milliseconds: 10_000))
        cache.put("c", body: "C", lines: true, version: v, now: EventTime(milliseconds: 10_000))
        #expect(cache.get("a", version: v, now: EventTime(milliseconds: 10_000)) == nil, "two entries at most: the oldest went")
        #expect(cache.get("c", version: v, now: EventTime(milliseconds: 10_000))?.lines == true)
        cache.put("big", body: String(repeating: "x", count: 2_000), lines: false, version: v, now: EventTime(milliseconds: 10_000))
        #expect(cache.get("big", version: v, now: EventTime(milliseconds: 10_000))?.lines == nil, "over the byte budget")
        #expect(cache.get("c", version: v, now: EventTime(milliseconds: 10_000)) != nil, "and it evicted nothing")
    }

    @Test func concurrentMissesRenderOnce() async throws {
        let cache = PageCache(path: "/nonexistent")
        let renders = Mutex(0)
        let (started, startedGo) = AsyncStream<Void>.makeStream()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let compute: @Sendable () async throws -> PageCache.Answer = {
            renders.locked { $0 += 1 }
            startedGo.yield()
            for await _ in gate { break }
            return ("page", false)
        }
        let now = EventTime(milliseconds: 0)
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await cache.answer("k", now: now, compute: compute).body }
            for await _ in started { break }  // the first render is running and waits at the gate
            for _ in 0..<9 { group.addTask { try await cache.answer("k", now: now, compute: compute).body } }
            // Every later caller joins the running render (or, once it is done, finds the cache).
            for _ in 0..<9 { await Task.yield() }
            open.yield()
            open.finish()
            for try await body in group { #expect(body == "page") }
        }
        #expect(renders.locked { $0 } == 1)
    }
}
