import TrailModel

/// File claims for workers sharing one store (see ``FileClaims``). The caller gives the time:
/// the store never reads the clock.
extension Store {
    /// Claims `path` for `worker` until `now + ttl` (a new claim, the worker's own renewed, or an
    /// expired one taken over); otherwise says which worker holds it and until when.
    ///
    /// A claim touches one row, so it does not queue behind other workers' commits (it cannot
    /// deadlock with them); renewals and releases, which touch many, do.
    public func claimFile(_ path: String, worker: String, now: EventTime, ttl: EventTime.Duration) throws(StoreError) -> ClaimResult {
        try backend.briefWrite("claim of \(path)") { db in
            try FileClaims.claim(db, path: path, worker: worker, now: now, ttl: ttl)
        }
    }

    /// Claims each of `paths` for `worker` as ``claimFile(_:worker:now:ttl:)`` does, in a few
    /// statements for the lot; answers in the order of `paths`. Each statement commits on its
    /// own: should a later one fail, claims granted by an earlier one stay until their lease
    /// expires (the caller does not know of them), unless the worker claims those files again.
    public func claimFiles(_ paths: [String], worker: String, now: EventTime, ttl: EventTime.Duration) throws(StoreError) -> [ClaimResult] {
        if paths.isEmpty { return [] }
        return try backend.briefWrite("claim of \(paths.count) files") { db in
            try FileClaims.claim(db, paths: paths, worker: worker, now: now, ttl: ttl)
        }
    }

    /// Extends `worker`'s claims on `paths` to `now + ttl`; returns the paths it no longer holds.
    public func renewClaims(worker: String, paths: [String], now: EventTime, ttl: EventTime.Duration) throws(StoreError) -> [String] {
        if paths.isEmpty { return [] }
        return try write("renewal of \(paths.count) claims") { db in
            try FileClaims.renew(db, worker: worker, paths: paths, now: now, ttl: ttl)
        }
    }

    /// Gives up `worker`'s claims on `paths` (other workers' claims are left alone).
    public func releaseClaims(worker: String, paths: [String]) throws(StoreError) {
        if paths.isEmpty { return }
        try write("release of \(paths.count) claims") { db in
            try FileClaims.release(db, worker: worker, paths: paths)
        }
    }
}
