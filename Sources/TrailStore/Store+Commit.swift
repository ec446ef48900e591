import GRDB
import TrailJSON
import TrailModel

extension Store {
    /// Commits one file in ONE transaction: events and access rows, secrets and principals with
    /// first/last seen, usage totals, alerts (ignored when their id is stored), suppressed counts,
    /// detector state, learned secrets and the ledger row (upserted by path).
    ///
    /// An event whose `eventID` is stored already adds nothing. If anything fails, nothing of the
    /// file is stored. Returns the ids of the alerts newly inserted, in the order given.
    @discardableResult
    public func commit(_ c: FileCommit) throws(StoreError) -> [String] {
        try write("commit of \(c.ledger.path)") { db in
            do {
                return try CommitWriter(db: db).write(c)
            } catch let failure as SQLiteFailure {
                throw StoreError(.sqlite, path: path, operation: "commit of \(c.ledger.path)", message: failure.message)
            }
        }
    }
}

extension Store {
    /// Commits several files in ONE transaction, each exactly as `commit(_:)` would: all of them or
    /// none. A writer with several files ready (a backfill, a tail catching up) saves most of the
    /// per-transaction cost, since pages that every file touches (index tails, totals) are written
    /// once. Returns, per file, the ids of its alerts newly inserted.
    public func commit(_ commits: [FileCommit]) throws(StoreError) -> [[String]] {
        guard let first = commits.first else { return [] }
        let label = commits.count == 1 ? first.ledger.path : "\(first.ledger.path) and \(commits.count - 1) more files"
        return try write("commit of \(label)") { db in
            do {
                return try commits.map { try CommitWriter(db: db).write($0) }
            } catch let failure as SQLiteFailure {
                throw StoreError(.sqlite, path: path, operation: "commit of \(label)", message: failure.message)
            }
        }
    }
}

/// The insert path of one commit; runs inside the write transaction.
private struct CommitWriter {
    let db: Database

    private struct SeenRange {
        var first: Int64
        var last: Int64
        mutating func add(_ t: Int64) {
            if t < first { first = t }
            if t > last { last = t }
        }
    }

    private struct UsageKey: Hashable {
        var secret: Int64
        var principal: Int64
        var name: String
    }

    private struct UsageTotals {
        var first: Int64
        var last: Int64
        var lastOK: Int64?
        var count: Int64
        var errors: Int64
    }

    private struct RegionKey: Hashable {
        var account: String
        var region: String
    }

    private struct RegionTotals {
        var events: Int64
        var oldest: Int64
        var newest: Int64
        mutating func add(_ t: Int64) {
            events += 1
            oldest = min(oldest, t)
            newest = max(newest, t)
        }
    }

    func write(_ c: FileCommit) throws -> [String] {
        // 1. Principals and secrets, one upsert each per file (first/last seen over the file).
        var principalSeen: [String: (Principal, SeenRange)] = [:]
        var secretSeen: [String: (SecretRef, SeenRange)] = [:]
        for e in c.events {
            let t = e.eventTime.milliseconds
            if var entry = principalSeen[e.principal.id] {
                entry.1.add(t)
                principalSeen[e.principal.id] = entry
            } else {
                principalSeen[e.principal.id] = (e.principal, SeenRange(first: t, last: t))
            }
            for s in e.secrets {
                if var entry = secretSeen[s.id] {
                    entry.1.add(t)
                    secretSeen[s.id] = entry
                } else {
                    secretSeen[s.id] = (s, SeenRange(first: t, last: t))
                }
            }
        }
        var principalIDs: [String: Int64] = [:]
        var upsertPrincipal = try RawStatement(db, """
            INSERT INTO principals (arn, type, display, name, account, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arn) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen),
                account = coalesce(account, excluded.account)
            RETURNING id
            """)
        for key in principalSeen.keys.sorted() {
            guard let (p, seen) = principalSeen[key] else { continue }
            upsertPrincipal.bind(p.id)
            upsertPrincipal.bind(p.type)
            upsertPrincipal.bind(p.displayName)
            upsertPrincipal.bind(PrincipalNames.shortName(of: p.id))
            upsertPrincipal.bind(p.accountId)
            upsertPrincipal.bind(seen.first)
            upsertPrincipal.bind(seen.last)
            _ = try upsertPrincipal.step()
            principalIDs[key] = upsertPrincipal.int64(0)
            upsertPrincipal.reset()
        }

        var secretIDs: [String: Int64] = [:]
        var upsertSecret = try RawStatement(db, """
            INSERT INTO secrets (arn, name, account, region, is_full, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arn) DO UPDATE SET
                first_seen = CASE WHEN first_seen IS NULL OR excluded.first_seen < first_seen THEN excluded.first_seen ELSE first_seen END,
                last_seen = CASE WHEN last_seen IS NULL OR excluded.last_seen > last_seen THEN excluded.last_seen ELSE last_seen END,
                is_full = max(is_full, excluded.is_full)
            RETURNING id
            """)
        for key in secretSeen.keys.sorted() {
            guard let (s, seen) = secretSeen[key] else { continue }
            upsertSecret.bind(s.id)
            upsertSecret.bind(s.name)
            upsertSecret.bind(s.account)
            upsertSecret.bind(s.region)
            upsertSecret.bind(s.isFullARN)
            upsertSecret.bind(seen.first)
            upsertSecret.bind(seen.last)
            _ = try upsertSecret.step()
            secretIDs[key] = upsertSecret.int64(0)
            upsertSecret.reset()
        }
        for s in c.learnedSecrets where secretIDs[s.id] == nil {
            upsertSecret.bind(s.id)
            upsertSecret.bind(s.name)
            upsertSecret.bind(s.account)
            upsertSecret.bind(s.region)
            upsertSecret.bind(s.isFullARN)
            upsertSecret.bind(Int64?.none)
            upsertSecret.bind(Int64?.none)
            _ = try upsertSecret.step()
            secretIDs[s.id] = upsertSecret.int64(0)
            upsertSecret.reset()
        }

        // 2. Events and access rows; a stored eventID (or a repeat within the file) adds nothing.
        var insertEvent = try RawStatement(db, """
            INSERT OR IGNORE INTO events (event_id, time, source, name, type, account, region, principal, session,
                source_ip, user_agent, error_code, error_message, read_only, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var insertAccess = try RawStatement(db, """
            INSERT INTO access (secret, time, event, principal, name, failed, notable) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        var insertKey = try RawStatement(db, "INSERT OR IGNORE INTO secret_keys (secret, key, first_seen) VALUES (?, ?, ?)")
        var usage: [UsageKey: UsageTotals] = [:]
        var regions: [RegionKey: RegionTotals] = [:]
        var keyPairs = Set<String>()
        for e in c.events {
            guard let principalID = principalIDs[e.principal.id] else { continue }
            let t = e.eventTime.milliseconds
            insertEvent.bind(e.eventID)
            insertEvent.bind(t)
            insertEvent.bind(e.eventSource)
            insertEvent.bind(e.eventName)
            insertEvent.bind(e.eventType)
            insertEvent.bind(e.account)
            insertEvent.bind(e.region)
            insertEvent.bind(principalID)
            insertEvent.bind(e.principal.session)
            insertEvent.bind(e.sourceIPAddress)
            insertEvent.bind(e.userAgent)
            insertEvent.bind(e.errorCode)
            insertEvent.bind(e.errorMessage)
            insertEvent.bind(e.readOnly)
            insertEvent.bind(EventDetailsJSON.encode(e.details))
            try insertEvent.run()
            guard insertEvent.changes == 1 else { continue }
            let rowID = db.lastInsertedRowID

            let regionKey = RegionKey(account: e.account, region: e.region)
            regions[regionKey, default: RegionTotals(events: 0, oldest: t, newest: t)].add(t)

            let failed = e.errorCode != nil
            let notable = !StoreSchema.readNames.contains(e.eventName)
            var done: [Int64] = []
            for s in e.secrets {
                guard let secretID = secretIDs[s.id], !done.contains(secretID) else { continue }
                done.append(secretID)
                insertAccess.bind(secretID)
                insertAccess.bind(t)
                insertAccess.bind(rowID)
                insertAccess.bind(principalID)
                insertAccess.bind(e.eventName)
                insertAccess.bind(failed)
                insertAccess.bind(notable)
                try insertAccess.run()

                let key = UsageKey(secret: secretID, principal: principalID, name: e.eventName)
                if var u = usage[key] {
                    u.first = min(u.first, t)
                    u.last = max(u.last, t)
                    if !failed { u.lastOK = max(u.lastOK ?? t, t) }
                    u.count += 1
                    if failed { u.errors += 1 }
                    usage[key] = u
                } else {
                    usage[key] = UsageTotals(first: t, last: t, lastOK: failed ? nil : t, count: 1, errors: failed ? 1 : 0)
                }
                for k in e.details.kmsKeys where keyPairs.insert("\(secretID) \(k)").inserted {
                    insertKey.bind(secretID)
                    insertKey.bind(k)
                    insertKey.bind(t)
                    try insertKey.run()
                }
            }
        }

        var upsertUsage = try RawStatement(db, """
            INSERT INTO usage (secret, principal, name, first_seen, last_seen, last_ok, count, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (secret, principal, name) DO UPDATE SET
                first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen),
                last_ok = CASE WHEN last_ok IS NULL OR excluded.last_ok > last_ok THEN coalesce(excluded.last_ok, last_ok) ELSE last_ok END,
                count = count + excluded.count,
                errors = errors + excluded.errors
            """)
        for (key, u) in usage {
            upsertUsage.bind(key.secret)
            upsertUsage.bind(key.principal)
            upsertUsage.bind(key.name)
            upsertUsage.bind(u.first)
            upsertUsage.bind(u.last)
            upsertUsage.bind(u.lastOK)
            upsertUsage.bind(u.count)
            upsertUsage.bind(u.errors)
            try upsertUsage.run()
        }

        var upsertRegion = try RawStatement(db, """
            INSERT INTO regions (account, region, events, oldest, newest) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (account, region) DO UPDATE SET events = events + excluded.events,
                oldest = min(oldest, excluded.oldest), newest = max(newest, excluded.newest)
            """)
        for (key, r) in regions {
            upsertRegion.bind(key.account)
            upsertRegion.bind(key.region)
            upsertRegion.bind(r.events)
            upsertRegion.bind(r.oldest)
            upsertRegion.bind(r.newest)
            try upsertRegion.run()
        }

        // 3. Alerts, suppressed repeats, detector state.
        var inserted: [String] = []
        var insertAlert = try RawStatement(db, """
            INSERT OR IGNORE INTO alerts (id, rule, severity, severity_rank, time, account, region, principal, secret,
                event_id, summary, count, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (alert, json) in c.alerts {
            insertAlert.bind(alert.id)
            insertAlert.bind(alert.rule)
            insertAlert.bind(alert.severity.rawValue)
            insertAlert.bind(SeverityRank.rank(alert.severity))
            insertAlert.bind(alert.time.milliseconds)
            insertAlert.bind(alert.account)
            insertAlert.bind(alert.region)
            insertAlert.bind(alert.principal.id)
            insertAlert.bind(alert.secret?.id)
            insertAlert.bind(alert.eventID)
            insertAlert.bind(alert.summary)
            insertAlert.bind(alert.count)
            insertAlert.bind(json)
            try insertAlert.run()
            if insertAlert.changes == 1 { inserted.append(alert.id) }
        }
        var bumpAlert = try RawStatement(db, "UPDATE alerts SET count = count + ? WHERE id = ?")
        for (id, count) in c.suppressed {
            bumpAlert.bind(count)
            bumpAlert.bind(id)
            try bumpAlert.run()
        }
        var putState = try RawStatement(db, """
            INSERT INTO detector_state (namespace, key, value) VALUES (?, ?, ?)
            ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value
            """)
        var deleteState = try RawStatement(db, "DELETE FROM detector_state WHERE namespace = ? AND key = ?")
        for entry in c.state {
            if let value = entry.value {
                putState.bind(entry.namespace)
                putState.bind(entry.key)
                putState.bind(value)
                try putState.run()
            } else {
                deleteState.bind(entry.namespace)
                deleteState.bind(entry.key)
                try deleteState.run()
            }
        }

        // 4. The ledger row last: the file counts as read only with everything above.
        let l = c.ledger
        let place = l.accountAndRegion
        var putFile = try RawStatement(db, """
            INSERT INTO files (path, size, fingerprint, format, records, skipped, invalid, status, reason, ingested_at,
                newest_event_time, account, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, fingerprint = excluded.fingerprint,
                format = excluded.format, records = excluded.records, skipped = excluded.skipped,
                invalid = excluded.invalid, status = excluded.status, reason = excluded.reason,
                ingested_at = excluded.ingested_at, newest_event_time = excluded.newest_event_time,
                account = excluded.account, region = excluded.region
            """)
        putFile.bind(l.path)
        putFile.bind(l.size)
        putFile.bind(l.fingerprint)
        putFile.bind(l.format)
        putFile.bind(l.records)
        putFile.bind(l.skipped)
        putFile.bind(l.invalid)
        putFile.bind(l.status.rawValue)
        putFile.bind(l.reason)
        putFile.bind(l.ingestedAt.milliseconds)
        putFile.bind(l.newestEventTime?.milliseconds)
        putFile.bind(place?.account)
        putFile.bind(place?.region)
        try putFile.run()
        return inserted
    }
}
