import Foundation
import TrailStore

/// Makes a commit safe to try again after the answer to its COMMIT was lost.
///
/// A connection that breaks after COMMIT was sent leaves the outcome unknown, and the backend
/// runs the commit again. Without more, that second run would add folded repeats to alert counts
/// twice, and refuse a group's files as claimed by nobody. So each commit first records a token,
/// chosen once before the first attempt, in `commit_tokens`; an attempt that finds its token there
/// knows the first one committed and writes nothing.
enum CommitToken {
    /// How long tokens are kept: far longer than any retry (`TRAILWATCH_DB_RETRY_SECONDS` is at
    /// most a day).
    static let lifetime: Int64 = 2 * 86_400_000

    /// A new token, for one commit and all its attempts.
    static func make() -> String { UUID().uuidString }

    /// Records `token` (committed at `now`, ms since the epoch) in the commit's transaction and
    /// forgets tokens older than ``lifetime``. False when the token is there already: an earlier
    /// attempt of the same commit committed.
    static func record(_ token: String, now: Int64, on db: any SQLConnection) throws -> Bool {
        var insert = try db.statement("INSERT INTO commit_tokens (token, committed_at) VALUES (?, ?) ON CONFLICT (token) DO NOTHING RETURNING token")
        insert.bind(all: [.text(token), .int(now)])
        let fresh = try insert.step()
        insert.reset()
        if fresh { try db.execute("DELETE FROM commit_tokens WHERE committed_at < ?", [.int(now - lifetime)]) }
        return fresh
    }

    /// What the commit that already committed returns: per commit, its new alerts (each id with
    /// the first commit that brings it) that have not been handed to the outbox yet, so the
    /// caller hands them over now.
    static func alertsNotHandedOver(_ commits: [FileCommit], on db: any SQLConnection) throws -> [[String]] {
        var firstIn: [String: Int] = [:]
        for (ci, c) in commits.enumerated() {
            for (alert, _) in c.alerts where firstIn[alert.id] == nil { firstIn[alert.id] = ci }
        }
        let ids = firstIn.keys.sorted()
        var waiting = Set<String>()
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 500, ids.count)]
            var s = try db.statement("SELECT id FROM alerts WHERE emitted = 0 AND id IN (" + Array(repeating: "?", count: chunk.count).joined(separator: ",") + ")")
            s.bind(all: chunk.map { .text($0) })
            while try s.step() { waiting.insert(s.string(0)) }
            s.reset()
            start += chunk.count
        }
        return commits.enumerated().map { ci, c in
            c.alerts.compactMap { firstIn[$0.alert.id] == ci && waiting.contains($0.alert.id) ? $0.alert.id : nil }
        }
    }
}
