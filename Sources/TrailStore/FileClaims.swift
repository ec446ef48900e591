import TrailModel

/// What a claim on a file answered.
public enum ClaimResult: Sendable, Equatable {
    /// The file is this worker's until the lease expires (or it commits or releases the file).
    case granted
    /// Another worker holds a live claim on the file.
    case held(by: String, until: EventTime)
}

/// File claims with leases, so that several workers on one store read each file once.
///
/// A claim is a row of `claims` (path, worker, expiry in ms since the epoch). A worker claims a
/// file after the ledger says it is new and before reading it, renews the claims in hand while
/// it works, and its commit of the file consumes the claim in the same transaction
/// (``consumeClaim(_:path:worker:)``, the fencing check): a worker that lost its claim (it
/// stalled past its lease and another worker took the file over) cannot commit the file.
/// An expired claim nobody took over is still its worker's: nobody else can have read the file
/// for the store.
///
/// Portable SQL (SQLite and PostgreSQL): `?` parameters, `ON CONFLICT`, integers. The store
/// never reads the clock: `now` is given by the caller.
package enum FileClaims {
    /// Claims `path` for `worker` until `now + ttl`: a new claim, a renewal of the worker's own, or
    /// a takeover of an expired one; otherwise says who holds it and until when.
    static func claim(_ c: any SQLConnection, path: String, worker: String, now: EventTime, ttl: EventTime.Duration) throws -> ClaimResult {
        let expires = now.adding(ttl).milliseconds
        var insert = try c.statement("INSERT INTO claims (path, worker, expires) VALUES (?, ?, ?) ON CONFLICT (path) DO NOTHING")
        var takeOver = try c.statement("UPDATE claims SET worker = ?, expires = ? WHERE path = ? AND (worker = ? OR expires < ?)")
        var holder = try c.statement("SELECT worker, expires FROM claims WHERE path = ?")
        // On an engine whose statements do not share one snapshot (PostgreSQL, read committed),
        // the holder may release the file between these statements: then try again, a few times.
        for _ in 0..<3 {
            insert.bind(path)
            insert.bind(worker)
            insert.bind(expires)
            try insert.run()
            if insert.changes == 1 { return .granted }
            takeOver.bind(worker)
            takeOver.bind(expires)
            takeOver.bind(path)
            takeOver.bind(worker)
            takeOver.bind(now.milliseconds)
            try takeOver.run()
            if takeOver.changes == 1 { return .granted }
            holder.bind(path)
            let found = try holder.step()
            let held = found ? ClaimResult.held(by: holder.string(0), until: EventTime(milliseconds: holder.int64(1))) : nil
            holder.reset()
            if let held { return held }
        }
        return .held(by: "another worker", until: now)
    }

    /// Claims each of `paths` as ``claim(_:path:worker:now:ttl:)`` does, in three statements for
    /// the lot rather than up to three per file: one multi-row insert, one takeover of the
    /// worker's own and expired claims among the rest, one look at who holds what is left.
    /// Answers in the order of `paths`.
    ///
    /// Each statement goes over its rows in path order, so two workers claiming overlapping
    /// batches wait for each other in one order. A takeover of a stalled worker's expired claims
    /// can still deadlock with that worker's commit, which deletes them in its own order: the
    /// server then rolls one back, and the store runs it again (the claim statements, run again,
    /// find the worker's own claims and answer them granted).
    static func claim(_ c: any SQLConnection, paths: [String], worker: String, now: EventTime, ttl: EventTime.Duration) throws -> [ClaimResult] {
        let expires = now.adding(ttl).milliseconds
        // By bytes: two spellings Swift calls equal are two files (see `PathKey`).
        var answers: [PathKey: ClaimResult] = [:]
        var unique: [PathKey: String] = [:]
        for path in paths { unique[PathKey(path)] = path }
        var open = unique.keys.sorted().compactMap { unique[$0] }
        // As for one file: a holder that releases between the statements makes a path free
        // again, so what is found unheld at the end goes round again, a few times.
        for _ in 0..<3 where !open.isEmpty {
            for chunk in batches(open) {
                var insert = try c.statement("INSERT INTO claims (path, worker, expires) VALUES "
                    + repeatElement("(?, ?, ?)", count: chunk.count).joined(separator: ", ")
                    + " ON CONFLICT (path) DO NOTHING RETURNING path")
                for path in chunk {
                    insert.bind(path)
                    insert.bind(worker)
                    insert.bind(expires)
                }
                while try insert.step() { answers[PathKey(insert.string(0))] = .granted }
                insert.reset()
            }
            let taken = open.filter { answers[PathKey($0)] == nil }
            for chunk in batches(taken) {
                var takeOver = try c.statement("UPDATE claims SET worker = ?, expires = ? WHERE path IN ("
                    + placeholders(chunk.count) + ") AND (worker = ? OR expires < ?) RETURNING path")
                takeOver.bind(worker)
                takeOver.bind(expires)
                for path in chunk { takeOver.bind(path) }
                takeOver.bind(worker)
                takeOver.bind(now.milliseconds)
                while try takeOver.step() { answers[PathKey(takeOver.string(0))] = .granted }
                takeOver.reset()
            }
            let held = taken.filter { answers[PathKey($0)] == nil }
            for chunk in batches(held) {
                var holder = try c.statement("SELECT path, worker, expires FROM claims WHERE path IN (" + placeholders(chunk.count) + ")")
                for path in chunk { holder.bind(path) }
                while try holder.step() {
                    answers[PathKey(holder.string(0))] = .held(by: holder.string(1), until: EventTime(milliseconds: holder.int64(2)))
                }
                holder.reset()
            }
            open = held.filter { answers[PathKey($0)] == nil }
        }
        return paths.map { answers[PathKey($0)] ?? .held(by: "another worker", until: now) }
    }

    /// Most paths one claim statement carries (three bound values each on insert).
    static let claimBatch = 64

    private static func batches(_ paths: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: paths.count, by: claimBatch).map { paths[$0..<min($0 + claimBatch, paths.count)] }
    }

    private static func placeholders(_ count: Int) -> String {
        repeatElement("?", count: count).joined(separator: ", ")
    }

    /// Extends `worker`'s claims on `paths` to `now + ttl`. Returns the paths whose claim the
    /// worker no longer holds (taken over, or never claimed), in the order given.
    static func renew(_ c: any SQLConnection, worker: String, paths: [String], now: EventTime, ttl: EventTime.Duration) throws -> [String] {
        let expires = now.adding(ttl).milliseconds
        var update = try c.statement("UPDATE claims SET expires = ? WHERE path = ? AND worker = ?")
        var lost: [String] = []
        for path in paths {
            update.bind(expires)
            update.bind(path)
            update.bind(worker)
            try update.run()
            if update.changes != 1 { lost.append(path) }
        }
        return lost
    }

    /// Gives up `worker`'s claims on `paths` (files it failed to read, or abandoned); claims
    /// held by other workers are left alone.
    static func release(_ c: any SQLConnection, worker: String, paths: [String]) throws {
        var delete = try c.statement("DELETE FROM claims WHERE path = ? AND worker = ?")
        for path in paths {
            delete.bind(path)
            delete.bind(worker)
            try delete.run()
        }
    }

    /// The fencing check, inside the transaction that commits `path`: deletes `worker`'s claim.
    /// True when the claim was still the worker's (the commit may go on); false when another
    /// worker took the file over or the claim is gone, and the commit must be refused.
    package static func consumeClaim(_ c: any SQLConnection, path: String, worker: String) throws -> Bool {
        var delete = try c.statement("DELETE FROM claims WHERE path = ? AND worker = ?")
        delete.bind(path)
        delete.bind(worker)
        try delete.run()
        return delete.changes == 1
    }
}

/// Thrown inside a commit transaction when the fencing check fails; the store turns it into
/// `StoreError.Kind.claimLost` once the transaction has rolled back.
package struct ClaimLost: Error {
    package var path: String
    package var worker: String

    package init(path: String, worker: String) {
        self.path = path
        self.worker = worker
    }

    package func storeError(store: String, operation: String) -> StoreError {
        var error = StoreError(.claimLost, path: store, operation: operation,
                               message: "\(path): the claim of worker \(worker) was lost (another worker took the file over); nothing was committed")
        error.file = path
        return error
    }
}
