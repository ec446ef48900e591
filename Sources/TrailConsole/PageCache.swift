#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TrailSync
import TrailModel

/// Recently rendered pages and API answers, keyed by the request's path and query, reused while
/// the store is unchanged and for at most `maxAge` (pages say "3 minutes ago" and resolve
/// `since=7d` against now). Bounded in entries and bytes.
///
/// "Unchanged" is decided by the store's files: size, modification time and inode of the database
/// and of its write-ahead log, which every commit by `tail` or `backfill` changes. (SQLite's
/// `PRAGMA data_version` is per connection, and the console reads through several.)
final class PageCache: Sendable {
    struct Version: Equatable, Sendable { var fields: [Int64] }
    private struct Entry: Sendable {
        var version: Version
        var made: Int64
        var body: String
        var lines: Bool
    }
    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var bytes = 0
        var hits = 0
    }

    let path: String
    let maxAge: Int64
    let maxEntries: Int
    let maxBytes: Int
    static let maxEntryBytes = 1 << 20
    private let state = Mutex(State())

    init(path: String, maxAgeMilliseconds: Int64 = 2_000, maxEntries: Int = 128, maxBytes: Int = 32 << 20) {
        self.path = path
        self.maxAge = maxAgeMilliseconds
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    private let inFlight = Mutex<[String: Task<Answer, any Error>]>([:])
    typealias Answer = (body: String, lines: Bool)

    /// The cached answer for `key`, or `compute`'s, computed once however many requests for the
    /// same key and store version arrive while it runs (20 clients on one busy page wait for one
    /// render instead of each rendering it).
    func answer(_ key: String, now: EventTime, compute: @escaping @Sendable () async throws -> Answer) async throws -> Answer {
        // The version is read before computing: a commit during the render makes the next request miss.
        let version = version()
        if let hit = get(key, version: version, now: now) { return hit }
        let flight = key + "\u{0}" + version.fields.map(String.init).joined(separator: ",")
        let task = inFlight.locked { running in
            if let task = running[flight] { return task }
            let task = Task { try await compute() }
            running[flight] = task
            return task
        }
        do {
            let value = try await task.value
            put(key, body: value.body, lines: value.lines, version: version, now: now)
            inFlight.locked { if $0[flight] == task { $0[flight] = nil } }
            return value
        } catch {
            inFlight.locked { if $0[flight] == task { $0[flight] = nil } }
            throw error
        }
    }

    /// Answers served from the cache so far (for tests).
    var hits: Int { state.locked { $0.hits } }

    /// The store's files as they are now.
    func version() -> Version {
        var fields: [Int64] = []
        for file in [path, path + "-wal"] {
            var st = stat()
            if stat(file, &st) == 0 {
                fields += [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ino)]
            } else {
                fields.append(-1)
            }
        }
        return Version(fields: fields)
    }

    func get(_ key: String, version: Version, now: EventTime) -> (body: String, lines: Bool)? {
        state.locked { s in
            guard let e = s.entries[key], e.version == version, now.milliseconds - e.made < maxAge, now.milliseconds >= e.made else {
                return nil
            }
            s.hits += 1
            return (e.body, e.lines)
        }
    }

    func put(_ key: String, body: String, lines: Bool, version: Version, now: EventTime) {
        let size = body.utf8.count + key.utf8.count
        guard size <= min(Self.maxEntryBytes, maxBytes) else { return }
        state.locked { s in
            if let old = s.entries.removeValue(forKey: key) {
                s.bytes -= old.body.utf8.count + key.utf8.count
                s.order.removeAll { $0 == key }
            }
            while !s.order.isEmpty && (s.order.count >= maxEntries || s.bytes + size > maxBytes) {
                let oldest = s.order.removeFirst()
                if let e = s.entries.removeValue(forKey: oldest) { s.bytes -= e.body.utf8.count + oldest.utf8.count }
            }
            s.entries[key] = Entry(version: version, made: now.milliseconds, body: body, lines: lines)
            s.order.append(key)
            s.bytes += size
        }
    }
}
