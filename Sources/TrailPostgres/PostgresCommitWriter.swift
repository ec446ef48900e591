import TrailModel
import TrailStore

/// The insert path of the PostgreSQL store: a commit group (several files, one transaction)
/// written as a handful of statements per table, rather than a round trip per row: the big
/// tables (`events`, `access`, and the new `eventID`s) stream through `COPY … FROM STDIN`, the
/// upserted ones take multi-row statements with bound values.
///
/// The end state equals the SQLite store's row-by-row insert path for the same files in the same
/// order (a test compares them): principals and secrets take their first appearance's names and
/// their first and last seen over the group; an `eventID` stored already, or seen earlier in the
/// group, adds nothing; alerts are inserted when their id is new and folded repeats raise their
/// count; detector state and the ledger keep each key's last value. Row ids are handed out in
/// the order SQLite would hand them out, so listings ordered by id agree too.
struct PostgresCommitWriter {
    let db: any PostgresLink

    /// Rows per multi-row statement are limited so that a statement binds at most this many values.
    static let maximumBinds = 30_000

    /// Writes `commits` (inside the caller's transaction); returns, per file, the ids of its
    /// alerts newly inserted, in the order given, and the number of events stored.
    func write(_ commits: [FileCommit]) throws -> (alerts: [[String]], events: Int) {
        try consumeClaims(commits)
        let principalIDs = try upsertPrincipals(commits)
        let secretIDs = try upsertSecrets(commits)
        let events = try insertEvents(commits, principalIDs: principalIDs, secretIDs: secretIDs)
        let inserted = try insertAlerts(commits)
        try foldSuppressed(commits)
        try putVerifiedDigests(commits)
        try putDetectorState(commits)
        try putLedger(commits)
        return (inserted, events)
    }

    // MARK: - Fencing

    /// Each file's claim must still be this worker's: consumed here, in the transaction, with
    /// one statement per worker (a commit group is one worker's) rather than one per file. The
    /// first file (in order) whose claim is gone, or that the group names twice, fails the commit.
    private func consumeClaims(_ commits: [FileCommit]) throws {
        var workers: [String] = []
        var paths: [String: [String]] = [:]
        for c in commits where c.hasFile {
            guard let worker = c.claim else { continue }
            if paths[worker] == nil { workers.append(worker) }
            paths[worker, default: []].append(c.ledger.path)
        }
        // By bytes (see `PathKey`): two files whose names Swift calls equal each need their claim.
        var consumed = Set<PathKey>()
        for worker in workers {
            try insertRows(
                "DELETE FROM claims WHERE worker = ? AND path IN (VALUES",
                (paths[worker] ?? []).map { [.text($0)] },
                ") RETURNING path", fixed: [.text(worker)]
            ) { s in consumed.insert(PathKey(s.string(0) + "\u{0}" + worker)) }
        }
        for c in commits where c.hasFile {
            guard let worker = c.claim else { continue }
            if consumed.remove(PathKey(c.ledger.path + "\u{0}" + worker)) == nil { throw ClaimLost(path: c.ledger.path, worker: worker) }
        }
    }

    // MARK: - Principals and secrets

    private struct PrincipalRow {
        var principal: Principal
        var first: Int64
        var last: Int64
        var account: String?
    }

    /// One upsert per principal of the group; returns row ids by principal id.
    private func upsertPrincipals(_ commits: [FileCommit]) throws -> [String: Int64] {
        var order: [String] = []
        var rows: [String: PrincipalRow] = [:]
        for c in commits {
            // Per file: the first event's principal, first and last seen (as the SQLite path).
            var seen: [String: PrincipalRow] = [:]
            for e in c.events {
                let t = e.eventTime.milliseconds
                if var row = seen[e.principal.id] {
                    row.first = min(row.first, t)
                    row.last = max(row.last, t)
                    seen[e.principal.id] = row
                } else {
                    seen[e.principal.id] = PrincipalRow(principal: e.principal, first: t, last: t, account: e.principal.accountId)
                }
            }
            for key in seen.keys.sorted() {
                guard let file = seen[key] else { continue }
                if var row = rows[key] {
                    row.first = min(row.first, file.first)
                    row.last = max(row.last, file.last)
                    if row.account == nil { row.account = file.account }
                    rows[key] = row
                } else {
                    rows[key] = file
                    order.append(key)
                }
            }
        }
        var ids: [String: Int64] = [:]
        let values: [[SQLValue]] = order.compactMap { key in
            guard let r = rows[key] else { return nil }
            return [.text(r.principal.id), .text(r.principal.type), .text(r.principal.displayName),
                    .text(PrincipalNames.shortName(of: r.principal.id)), SQLValue(r.account), .int(r.first), .int(r.last)]
        }
        try insertRows(
            "INSERT INTO principals (arn, type, display, name, account, first_seen, last_seen) VALUES",
            values,
            """
             ON CONFLICT (arn) DO UPDATE SET first_seen = LEAST(principals.first_seen, excluded.first_seen),
                last_seen = GREATEST(principals.last_seen, excluded.last_seen),
                account = coalesce(principals.account, excluded.account)
            RETURNING id, arn
            """
        ) { s in ids[s.string(1)] = s.int64(0) }
        return ids
    }

    private struct SecretRow {
        var secret: SecretRef
        var first: Int64?
        var last: Int64?
        var isFull: Bool
    }

    /// One upsert per secret of the group (those events name, then those learned); returns row
    /// ids by secret id.
    private func upsertSecrets(_ commits: [FileCommit]) throws -> [String: Int64] {
        var order: [String] = []
        var rows: [String: SecretRow] = [:]
        func add(_ s: SecretRef, first: Int64?, last: Int64?) {
            if var row = rows[s.id] {
                if let first { row.first = min(row.first ?? first, first) }
                if let last { row.last = max(row.last ?? last, last) }
                row.isFull = row.isFull || s.isFullARN
                rows[s.id] = row
            } else {
                rows[s.id] = SecretRow(secret: s, first: first, last: last, isFull: s.isFullARN)
                order.append(s.id)
            }
        }
        for c in commits {
            var seen: [String: (SecretRef, Int64, Int64)] = [:]
            for e in c.events {
                let t = e.eventTime.milliseconds
                for s in e.secrets {
                    if let (ref, first, last) = seen[s.id] {
                        seen[s.id] = (ref, min(first, t), max(last, t))
                    } else {
                        seen[s.id] = (s, t, t)
                    }
                }
            }
            for key in seen.keys.sorted() {
                guard let (ref, first, last) = seen[key] else { continue }
                add(ref, first: first, last: last)
            }
            for s in c.learnedSecrets where seen[s.id] == nil {
                add(s, first: nil, last: nil)
            }
        }
        var ids: [String: Int64] = [:]
        let values: [[SQLValue]] = order.compactMap { key in
            guard let r = rows[key] else { return nil }
            return [.text(r.secret.id), .text(r.secret.name), .text(r.secret.account), .text(r.secret.region),
                    .int(r.isFull ? 1 : 0), SQLValue(r.first), SQLValue(r.last)]
        }
        try insertRows(
            "INSERT INTO secrets (arn, name, account, region, is_full, first_seen, last_seen) VALUES",
            values,
            """
             ON CONFLICT (arn) DO UPDATE SET
                first_seen = CASE WHEN secrets.first_seen IS NULL OR excluded.first_seen < secrets.first_seen THEN excluded.first_seen ELSE secrets.first_seen END,
                last_seen = CASE WHEN secrets.last_seen IS NULL OR excluded.last_seen > secrets.last_seen THEN excluded.last_seen ELSE secrets.last_seen END,
                is_full = GREATEST(secrets.is_full, excluded.is_full)
            RETURNING id, arn
            """
        ) { s in ids[s.string(1)] = s.int64(0) }
        return ids
    }

    // MARK: - Events, access rows and totals

    private struct UsageKey: Hashable {
        var secret: Int64
        var principal: Int64
        var name: String
    }

    /// Returns the number of events stored.
    private func insertEvents(_ commits: [FileCommit], principalIDs: [String: Int64], secretIDs: [String: Int64]) throws -> Int {
        // Claim each new eventID (stored ones, and repeats within the group, add nothing); the
        // identity column hands out row ids in the order given.
        var candidates: [(commit: Int, event: Int)] = []
        var seenIDs = Set<String>()
        for (ci, c) in commits.enumerated() {
            for ei in c.events.indices where principalIDs[c.events[ei].principal.id] != nil {
                if seenIDs.insert(c.events[ei].eventID).inserted { candidates.append((ci, ei)) }
            }
        }
        guard !candidates.isEmpty else { return 0 }
        // The candidates go to a temporary table by COPY, then into `event_ids` in their order
        // (the identity hands out ids in the order rows are inserted); the unique key skips
        // eventIDs stored already, by this worker or another.
        try db.execute("""
            CREATE TEMPORARY TABLE IF NOT EXISTS incoming_event_ids (
                ord BIGINT NOT NULL, event_id TEXT COLLATE "C" NOT NULL, time BIGINT NOT NULL
            ) ON COMMIT DELETE ROWS
            """)
        try db.copy(into: "incoming_event_ids", columns: ["ord", "event_id", "time"], rows: candidates.enumerated().map { n, c in
            let e = commits[c.commit].events[c.event]
            return [.int(Int64(n)), .text(e.eventID), .int(e.eventTime.milliseconds)]
        })
        let newIDs = try claimEventIDs()

        var events: [[PostgresBindValue]] = []
        var access: [[PostgresBindValue]] = []
        var keys: [[SQLValue]] = []
        var keyPairs = Set<String>()
        var usageOrder: [UsageKey] = []
        var usage: [UsageKey: UsageTotals] = [:]
        var regionOrder: [String] = []
        var regions: [String: (account: String, region: String, events: Int64, oldest: Int64, newest: Int64)] = [:]
        for (ci, ei) in candidates {
            let e = commits[ci].events[ei]
            guard let rowID = newIDs[e.eventID], let principalID = principalIDs[e.principal.id] else { continue }
            let t = e.eventTime.milliseconds
            events.append([
                .int(rowID), .text(e.eventID), .int(t), .text(e.eventSource), .text(e.eventName), .text(e.eventType),
                .text(e.account), .text(e.region), .int(principalID), .init(e.principal.session), .init(e.sourceIPAddress),
                .init(e.userAgent), .init(e.errorCode), .init(e.errorMessage), e.readOnly.map { .int($0 ? 1 : 0) } ?? .null,
                .init(EventDetailsJSON.encode(e.details)),
            ])
            let place = e.account + "\u{0}" + e.region
            if let r = regions[place] {
                regions[place] = (r.account, r.region, r.events + 1, min(r.oldest, t), max(r.newest, t))
            } else {
                regions[place] = (e.account, e.region, 1, t, t)
                regionOrder.append(place)
            }
            let failed = e.errorCode != nil
            let notable = !StoreSchema.readNames.contains(e.eventName)
            var done: [Int64] = []
            for s in e.secrets {
                guard let secretID = secretIDs[s.id], !done.contains(secretID) else { continue }
                done.append(secretID)
                access.append([.int(secretID), .int(t), .int(rowID), .int(principalID), .text(e.eventName),
                               .int(failed ? 1 : 0), .int(notable ? 1 : 0)])
                let key = UsageKey(secret: secretID, principal: principalID, name: e.eventName)
                if usage[key] != nil {
                    usage[key]?.add(time: t, failed: failed)
                } else {
                    usage[key] = UsageTotals(time: t, failed: failed)
                    usageOrder.append(key)
                }
                for k in e.keysPairedWithSecrets where keyPairs.insert("\(secretID) \(k)").inserted {
                    keys.append([.int(secretID), .text(k), .int(t)])
                }
            }
        }
        if !events.isEmpty {
            try db.copy(into: "events", columns: ["id", "event_id", "time", "source", "name", "type", "account", "region", "principal",
                                                  "session", "source_ip", "user_agent", "error_code", "error_message", "read_only", "details"],
                        rows: events)
        }
        if !access.isEmpty {
            try db.copy(into: "access", columns: ["secret", "time", "event", "principal", "name", "failed", "notable"], rows: access)
        }
        try insertRows("INSERT INTO secret_keys (secret, key, first_seen) VALUES", keys, " ON CONFLICT (secret, key) DO NOTHING")
        try insertRows(
            "INSERT INTO usage (secret, principal, name, first_seen, last_seen, last_ok, count, errors) VALUES",
            usageOrder.compactMap { key in
                guard let u = usage[key] else { return nil }
                return [.int(key.secret), .int(key.principal), .text(key.name), .int(u.first), .int(u.last), SQLValue(u.lastOK),
                        .int(u.count), .int(u.errors)]
            },
            """
             ON CONFLICT (secret, principal, name) DO UPDATE SET
                first_seen = LEAST(usage.first_seen, excluded.first_seen),
                last_seen = GREATEST(usage.last_seen, excluded.last_seen),
                last_ok = CASE WHEN usage.last_ok IS NULL OR excluded.last_ok > usage.last_ok THEN coalesce(excluded.last_ok, usage.last_ok) ELSE usage.last_ok END,
                count = usage.count + excluded.count,
                errors = usage.errors + excluded.errors
            """)
        try insertRows(
            "INSERT INTO regions (account, region, events, oldest, newest) VALUES",
            regionOrder.compactMap { key in
                guard let r = regions[key] else { return nil }
                return [.text(r.account), .text(r.region), .int(r.events), .int(r.oldest), .int(r.newest)]
            },
            """
             ON CONFLICT (account, region) DO UPDATE SET events = regions.events + excluded.events,
                oldest = LEAST(regions.oldest, excluded.oldest), newest = GREATEST(regions.newest, excluded.newest)
            """)
        return events.count
    }

    // MARK: - Alerts, digests, state, ledger

    /// Inserts each alert whose id is new; returns per file the ids it inserted, in order.
    private func insertAlerts(_ commits: [FileCommit]) throws -> [[String]] {
        var firstIn: [String: Int] = [:]
        var rows: [[SQLValue]] = []
        for (ci, c) in commits.enumerated() {
            for (alert, json) in c.alerts where firstIn[alert.id] == nil {
                firstIn[alert.id] = ci
                rows.append([
                    .text(alert.id), .text(alert.rule), .text(alert.severity.rawValue), .int(SeverityRank.rank(alert.severity)),
                    .int(alert.time.milliseconds), .text(alert.account), .text(alert.region), .text(alert.principal.id),
                    SQLValue(alert.secret?.id), .text(alert.eventID), .text(alert.summary), .int(Int64(alert.count)), .text(json),
                ])
            }
        }
        var inserted = Set<String>()
        try insertRows(
            """
            INSERT INTO alerts (id, rule, severity, severity_rank, time, account, region, principal, secret,
                event_id, summary, count, json) VALUES
            """, rows, " ON CONFLICT (id) DO NOTHING RETURNING id"
        ) { s in inserted.insert(s.string(0)) }
        return commits.enumerated().map { ci, c in
            c.alerts.compactMap { entry in
                firstIn[entry.alert.id] == ci && inserted.contains(entry.alert.id) ? entry.alert.id : nil
            }
        }
    }

    /// Raises the count of alerts that later repeats were folded into.
    private func foldSuppressed(_ commits: [FileCommit]) throws {
        var order: [String] = []
        var totals: [String: Int64] = [:]
        for c in commits {
            for (id, count) in c.suppressed {
                if totals[id] == nil { order.append(id) }
                totals[id, default: 0] += Int64(count)
            }
        }
        try insertRows(
            "UPDATE alerts SET count = alerts.count + v.added FROM (VALUES",
            order.map { [.text($0), .int(totals[$0] ?? 0)] },
            ") AS v(id, added) WHERE alerts.id = v.id")
    }

    private func putVerifiedDigests(_ commits: [FileCommit]) throws {
        for c in commits {
            for d in c.verifiedDigests {
                try db.execute("""
                    INSERT INTO verified_digests (account, region, trail, digest, digest_end, verified_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (account, region, trail) DO UPDATE SET digest = excluded.digest,
                        digest_end = excluded.digest_end, verified_at = excluded.verified_at
                    WHERE excluded.digest_end >= verified_digests.digest_end
                    """, [.text(d.account), .text(d.region), .text(d.trail), .text(d.digest),
                          .int(d.digestEnd.milliseconds), .int(d.verifiedAt.milliseconds)])
            }
        }
    }

    /// Each key's last value in the group: upserted, or deleted when it is nil.
    private func putDetectorState(_ commits: [FileCommit]) throws {
        var order: [String] = []
        var last: [String: DetectorStateEntry] = [:]
        for c in commits {
            for entry in c.state {
                let key = entry.namespace + "\u{0}" + entry.key
                if last[key] == nil { order.append(key) }
                last[key] = entry
            }
        }
        let entries = order.compactMap { last[$0] }
        try insertRows(
            "INSERT INTO detector_state (namespace, key, value) VALUES",
            entries.compactMap { e in e.value.map { [.text(e.namespace), .text(e.key), .text($0)] } },
            " ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value")
        try insertRows(
            "DELETE FROM detector_state WHERE (namespace, key) IN (VALUES",
            entries.filter { $0.value == nil }.map { [.text($0.namespace), .text($0.key)] },
            ")")
    }

    /// The ledger rows last: a file counts as read only with everything above.
    private func putLedger(_ commits: [FileCommit]) throws {
        var order: [PathKey] = []
        var last: [PathKey: FileLedgerEntry] = [:]
        for c in commits where c.hasFile {
            let key = PathKey(c.ledger.path)
            if last[key] == nil { order.append(key) }
            last[key] = c.ledger
        }
        try insertRows(
            """
            INSERT INTO files (path, size, fingerprint, format, records, skipped, invalid, status, reason, ingested_at,
                newest_event_time, account, region) VALUES
            """,
            order.compactMap { path in
                guard let l = last[path] else { return nil }
                let place = l.accountAndRegion
                return [.text(l.path), .int(l.size), .text(l.fingerprint), .text(l.format), .int(Int64(l.records)),
                        .int(Int64(l.skipped)), .int(Int64(l.invalid)), .text(l.status.rawValue), SQLValue(l.reason),
                        .int(l.ingestedAt.milliseconds), SQLValue(l.newestEventTime?.milliseconds), SQLValue(place?.account),
                        SQLValue(place?.region)]
            },
            """
             ON CONFLICT (path) DO UPDATE SET size = excluded.size, fingerprint = excluded.fingerprint,
                format = excluded.format, records = excluded.records, skipped = excluded.skipped,
                invalid = excluded.invalid, status = excluded.status, reason = excluded.reason,
                ingested_at = excluded.ingested_at, newest_event_time = excluded.newest_event_time,
                account = excluded.account, region = excluded.region
            """)
    }

    /// Moves the candidates from `incoming_event_ids` into `event_ids`, in their order, and
    /// returns the row id of each one that was not stored yet.
    ///
    /// First as a plain insert, under a savepoint: the committer has dropped the ids the store
    /// held when it looked, and the commits of all workers are serialised by the write lock, so
    /// a repeat is rare, and a plain insert costs the server about 30% less than one that skips
    /// conflicts (560 against 806 ms for the 151,802 ids of the 1M-record tree). When an id is
    /// stored already (23505), the savepoint is rolled back and the insert that skips stored ids
    /// runs instead.
    private func claimEventIDs() throws -> [String: Int64] {
        try db.execute("SAVEPOINT claim_event_ids")
        do {
            let ids = try insertEventIDs(onConflict: "")
            try db.execute("RELEASE SAVEPOINT claim_event_ids")
            return ids
        } catch let error as StoreError where error.sqlState == Self.uniqueViolation {
            try db.execute("ROLLBACK TO SAVEPOINT claim_event_ids")
            try db.execute("RELEASE SAVEPOINT claim_event_ids")
            return try insertEventIDs(onConflict: "ON CONFLICT (event_id) DO NOTHING")
        }
    }

    /// SQLSTATE unique_violation.
    static let uniqueViolation = "23505"

    private func insertEventIDs(onConflict: String) throws -> [String: Int64] {
        var newIDs: [String: Int64] = [:]
        var s = try db.statement("""
            INSERT INTO event_ids (event_id, time) SELECT event_id, time FROM incoming_event_ids ORDER BY ord
            \(onConflict) RETURNING event_id, id
            """)
        defer { s.reset() }
        while try s.step() { newIDs[s.string(0)] = s.int64(1) }
        return newIDs
    }

    // MARK: - Multi-row statements

    /// Runs `prefix (?, …), (?, …) … suffix` over `rows` in chunks of at most ``maximumBinds``
    /// values, calling `row` for each row a chunk returns. Every value is bound.
    /// `fixed` values are bound first, in every chunk.
    private func insertRows(_ prefix: String, _ rows: [[SQLValue]], _ suffix: String, fixed: [SQLValue] = [],
                            row: ((any SQLStatement) -> Void)? = nil) throws {
        guard let width = rows.first?.count, width > 0 else { return }
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let perChunk = max(1, (Self.maximumBinds - fixed.count) / width)
        var start = 0
        while start < rows.count {
            let end = min(start + perChunk, rows.count)
            let sql = prefix + " " + Array(repeating: tuple, count: end - start).joined(separator: ", ") + suffix
            var s = try db.statement(sql)
            s.bind(all: fixed)
            for r in rows[start..<end] { s.bind(all: r) }
            if let row {
                while try s.step() { row(s) }
                s.reset()
            } else {
                try s.run()
            }
            start = end
        }
    }
}
