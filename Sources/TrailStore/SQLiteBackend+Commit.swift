import GRDB
import TrailJSON
import TrailModel

extension SQLiteBackend {
    /// The insert path of SQLite: row by row through prepared statements, in one transaction.
    func commit(_ commits: [FileCommit], label: String) throws(StoreError) -> [[String]] {
        committedEventIDs.note(commits.lazy.flatMap(\.events).map(\.eventID))
        return try writeDatabase("commit of \(label)") { db in
            do {
                var writer = CommitWriter(db: db)
                let inserted = try commits.map { try writer.write($0) }
                try writer.finish()
                return inserted
            } catch let failure as SQLiteFailure {
                throw StoreError(.sqlite, path: path, operation: "commit of \(label)", message: failure.message)
            } catch let lost as ClaimLost {
                throw lost.storeError(store: path, operation: "commit of \(label)")
            }
        }
    }
}

/// The insert path of one commit; runs inside the write transaction.
private struct CommitWriter {
    let db: Database
    /// Display and short names per principal ARN, computed once per transaction (the same
    /// principals recur in every file of a group).
    private var principalNames: [String: (display: String, name: String)] = [:]
    /// Row ids of the principals and secrets upserted by an earlier file of this transaction.
    private var groupPrincipalIDs: [String: Int64] = [:]
    private var groupSecretIDs: [String: Int64] = [:]
    /// What later files of the transaction add to those rows, written once by `finish()`: the
    /// same end state as one upsert per file, with one write per row instead.
    private var pendingPrincipals: [Int64: PendingPrincipal] = [:]
    private var pendingSecrets: [Int64: PendingSecret] = [:]
    /// Usage and region totals of the whole transaction, upserted once per key by `finish()`.
    private var usage: [UsageKey: UsageTotals] = [:]
    private var regions: [RegionKey: RegionTotals] = [:]
    /// (Secret, KMS key) pairs already given to `secret_keys` in this transaction (its insert
    /// ignores a stored pair; this spares the statement).
    private var keyPairs: Set<KeyPair> = []
    /// The last few details encoded, newest last: events carry few distinct ones (the KMS keys
    /// of a handful of secrets), interleaved.
    private var recentDetails: [(details: EventDetails, json: String?)] = []
    private static let recentDetailsKept = 4

    /// First and last seen over later files, and the first account one of them names (the
    /// per-file upsert keeps the stored account and else takes the file's).
    private struct PendingPrincipal {
        var first: Int64
        var last: Int64
        var account: String?
    }

    /// First and last seen (nil: not given, as for a learned secret) and whether a full ARN was seen.
    private struct PendingSecret {
        var first: Int64?
        var last: Int64?
        var isFull: Bool

        mutating func add(first f: Int64?, last l: Int64?, isFull full: Bool) {
            if let f { first = min(first ?? f, f) }
            if let l { last = max(last ?? l, l) }
            isFull = isFull || full
        }
    }

    init(db: Database) {
        self.db = db
    }

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

    /// A file's principals or secrets by ARN, each with the span of event times it was seen in.
    private struct SeenItems<Item> {
        var slots: [String: Int] = [:]
        var items: [(item: Item, seen: SeenRange)] = []

        /// Notes `item` (whose ARN is `id`) seen at `t`; returns its slot in `items`.
        mutating func note(_ id: String, _ item: @autoclosure () -> Item, at t: Int64) -> Int {
            if let slot = slots[id] {
                items[slot].seen.add(t)
                return slot
            }
            slots[id] = items.count
            items.append((item(), SeenRange(first: t, last: t)))
            return items.count - 1
        }

        /// The slots in the order of their items' ARNs, so that row ids do not depend on event order.
        func slotsByID(_ id: (Item) -> String) -> [Int] {
            items.indices.sorted { id(items[$0].item) < id(items[$1].item) }
        }
    }

    private struct KeyPair: Hashable {
        var secret: Int64
        var key: String
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

        mutating func add(_ other: RegionTotals) {
            events += other.events
            oldest = min(oldest, other.oldest)
            newest = max(newest, other.newest)
        }
    }

    /// `events.details` of an event's details.
    private mutating func detailsJSON(_ details: EventDetails) -> String? {
        if let hit = recentDetails.lastIndex(where: { $0.details == details }) { return recentDetails[hit].json }
        let json = EventDetailsJSON.encode(details)
        if recentDetails.count == Self.recentDetailsKept { recentDetails.removeFirst() }
        recentDetails.append((details, json))
        return json
    }

    private mutating func addRegionTotals(_ totals: RegionTotals, for key: RegionKey) {
        regions[key, default: RegionTotals(events: 0, oldest: totals.oldest, newest: totals.newest)].add(totals)
    }

    /// Writes the transaction's usage and region totals, and what later files added to
    /// principals and secrets that an earlier file upserted (the same expressions as the
    /// upserts, applied once).
    mutating func finish() throws {
        // Usage and region totals, summed over the transaction's files (additive, min and max).
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

        usage.removeAll()
        regions.removeAll()
        keyPairs.removeAll()

        var updatePrincipal = try RawStatement(db, """
            UPDATE principals SET first_seen = min(first_seen, ?1), last_seen = max(last_seen, ?2),
                account = coalesce(account, ?3) WHERE id = ?4
            """)
        for id in pendingPrincipals.keys.sorted() {
            guard let p = pendingPrincipals[id] else { continue }
            updatePrincipal.bind(p.first)
            updatePrincipal.bind(p.last)
            updatePrincipal.bind(p.account)
            updatePrincipal.bind(id)
            try updatePrincipal.run()
        }
        var updateSecret = try RawStatement(db, """
            UPDATE secrets SET
                first_seen = CASE WHEN ?1 IS NULL THEN first_seen WHEN first_seen IS NULL OR ?1 < first_seen THEN ?1 ELSE first_seen END,
                last_seen = CASE WHEN ?2 IS NULL THEN last_seen WHEN last_seen IS NULL OR ?2 > last_seen THEN ?2 ELSE last_seen END,
                is_full = max(is_full, ?3) WHERE id = ?4
            """)
        for id in pendingSecrets.keys.sorted() {
            guard let p = pendingSecrets[id] else { continue }
            updateSecret.bind(p.first)
            updateSecret.bind(p.last)
            updateSecret.bind(p.isFull)
            updateSecret.bind(id)
            try updateSecret.run()
        }
        pendingPrincipals.removeAll()
        pendingSecrets.removeAll()
    }

    mutating func write(_ c: FileCommit) throws -> [String] {
        // 0. Fencing: the claim on the file must still be this worker's (consumed here).
        if let worker = c.claim, c.hasFile, try !FileClaims.consumeClaim(SQLiteConnection(db: db), path: c.ledger.path, worker: worker) {
            throw ClaimLost(path: c.ledger.path, worker: worker)
        }
        // 1. Principals and secrets, one upsert each per file (first/last seen over the file).
        // Each event's principal and secrets are looked up by ARN once, here; the inserts below
        // use their slots in these lists.
        var principals = SeenItems<Principal>()
        var eventPrincipals: [Int] = []
        eventPrincipals.reserveCapacity(c.events.count)
        var secrets = SeenItems<SecretRef>()
        /// The slots of every event's secrets, event after event.
        var eventSecrets: [Int] = []
        // Events are read in place (`c.events[i].field`): copying an event retains all its strings.
        for i in c.events.indices {
            let t = c.events[i].eventTime.milliseconds
            eventPrincipals.append(principals.note(c.events[i].principal.id, c.events[i].principal, at: t))
            for j in c.events[i].secrets.indices {
                eventSecrets.append(secrets.note(c.events[i].secrets[j].id, c.events[i].secrets[j], at: t))
            }
        }
        var principalRowIDs = [Int64](repeating: 0, count: principals.items.count)
        var upsertPrincipal = try RawStatement(db, """
            INSERT INTO principals (arn, type, display, name, account, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arn) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen),
                account = coalesce(account, excluded.account)
            RETURNING id
            """)
        for slot in principals.slotsByID(\.id) {
            let (p, seen) = principals.items[slot]
            let key = p.id
            if let id = groupPrincipalIDs[key] {
                principalRowIDs[slot] = id
                if var pending = pendingPrincipals[id] {
                    pending.first = min(pending.first, seen.first)
                    pending.last = max(pending.last, seen.last)
                    if pending.account == nil { pending.account = p.accountId }
                    pendingPrincipals[id] = pending
                } else {
                    pendingPrincipals[id] = PendingPrincipal(first: seen.first, last: seen.last, account: p.accountId)
                }
                continue
            }
            upsertPrincipal.bind(p.id)
            upsertPrincipal.bind(p.type)
            let names: (display: String, name: String)
            if let known = principalNames[p.id] {
                names = known
            } else {
                names = (p.displayName, PrincipalNames.shortName(of: p.id))
                principalNames[p.id] = names
            }
            upsertPrincipal.bind(names.display)
            upsertPrincipal.bind(names.name)
            upsertPrincipal.bind(p.accountId)
            upsertPrincipal.bind(seen.first)
            upsertPrincipal.bind(seen.last)
            _ = try upsertPrincipal.step()
            let id = upsertPrincipal.int64(0)
            principalRowIDs[slot] = id
            groupPrincipalIDs[key] = id
            upsertPrincipal.reset()
        }

        var secretRowIDs = [Int64](repeating: 0, count: secrets.items.count)
        var upsertSecret = try RawStatement(db, """
            INSERT INTO secrets (arn, name, account, region, is_full, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (arn) DO UPDATE SET
                first_seen = CASE WHEN first_seen IS NULL OR excluded.first_seen < first_seen THEN excluded.first_seen ELSE first_seen END,
                last_seen = CASE WHEN last_seen IS NULL OR excluded.last_seen > last_seen THEN excluded.last_seen ELSE last_seen END,
                is_full = max(is_full, excluded.is_full)
            RETURNING id
            """)
        /// The secret's row id: upserted once per transaction, later files' first/last seen
        /// kept for `finish()`. A learned secret has no first/last seen.
        func secretID(_ s: SecretRef, first: Int64?, last: Int64?) throws -> Int64 {
            if let id = groupSecretIDs[s.id] {
                pendingSecrets[id, default: PendingSecret(first: nil, last: nil, isFull: false)]
                    .add(first: first, last: last, isFull: s.isFullARN)
                return id
            }
            upsertSecret.bind(s.id)
            upsertSecret.bind(s.name)
            upsertSecret.bind(s.account)
            upsertSecret.bind(s.region)
            upsertSecret.bind(s.isFullARN)
            upsertSecret.bind(first)
            upsertSecret.bind(last)
            _ = try upsertSecret.step()
            let id = upsertSecret.int64(0)
            upsertSecret.reset()
            groupSecretIDs[s.id] = id
            return id
        }
        for slot in secrets.slotsByID(\.id) {
            let (s, seen) = secrets.items[slot]
            secretRowIDs[slot] = try secretID(s, first: seen.first, last: seen.last)
        }
        var learned = Set<String>()
        for s in c.learnedSecrets where secrets.slots[s.id] == nil && learned.insert(s.id).inserted {
            _ = try secretID(s, first: nil, last: nil)
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
        // The events of a file share one account and region, and runs of one event name: their
        // totals and flags are kept for the last key and looked up again only when it changes.
        var regionRun: (key: RegionKey, totals: RegionTotals)?
        var lastName: (name: String, notable: Bool)?
        var nextSecret = 0
        for i in c.events.indices {
            let firstSecret = nextSecret
            nextSecret += c.events[i].secrets.count
            let principalID = principalRowIDs[eventPrincipals[i]]
            let t = c.events[i].eventTime.milliseconds
            insertEvent.bind(c.events[i].eventID)
            insertEvent.bind(t)
            insertEvent.bind(c.events[i].eventSource)
            insertEvent.bind(c.events[i].eventName)
            insertEvent.bind(c.events[i].eventType)
            insertEvent.bind(c.events[i].account)
            insertEvent.bind(c.events[i].region)
            insertEvent.bind(principalID)
            insertEvent.bind(c.events[i].principal.session)
            insertEvent.bind(c.events[i].sourceIPAddress)
            insertEvent.bind(c.events[i].userAgent)
            insertEvent.bind(c.events[i].errorCode)
            insertEvent.bind(c.events[i].errorMessage)
            insertEvent.bind(c.events[i].readOnly)
            insertEvent.bind(detailsJSON(c.events[i].details))
            try insertEvent.run()
            guard insertEvent.changes == 1 else { continue }
            let rowID = db.lastInsertedRowID

            if regionRun?.key.account == c.events[i].account && regionRun?.key.region == c.events[i].region {
                regionRun?.totals.add(t)
            } else {
                if let regionRun { addRegionTotals(regionRun.totals, for: regionRun.key) }
                regionRun = (RegionKey(account: c.events[i].account, region: c.events[i].region), RegionTotals(events: 1, oldest: t, newest: t))
            }

            let failed = c.events[i].errorCode != nil
            let notable: Bool
            if let lastName, lastName.name == c.events[i].eventName {
                notable = lastName.notable
            } else {
                notable = !StoreSchema.readNames.contains(c.events[i].eventName)
                lastName = (c.events[i].eventName, notable)
            }
            var done: [Int64] = []
            for j in firstSecret..<nextSecret {
                let secretID = secretRowIDs[eventSecrets[j]]
                guard !done.contains(secretID) else { continue }
                done.append(secretID)
                insertAccess.bind(secretID)
                insertAccess.bind(t)
                insertAccess.bind(rowID)
                insertAccess.bind(principalID)
                insertAccess.bind(c.events[i].eventName)
                insertAccess.bind(failed)
                insertAccess.bind(notable)
                try insertAccess.run()

                let key = UsageKey(secret: secretID, principal: principalID, name: c.events[i].eventName)
                if usage[key] != nil {
                    usage[key]?.add(time: t, failed: failed)
                } else {
                    usage[key] = UsageTotals(time: t, failed: failed)
                }
                for k in c.events[i].keysPairedWithSecrets where keyPairs.insert(KeyPair(secret: secretID, key: k)).inserted {
                    insertKey.bind(secretID)
                    insertKey.bind(k)
                    insertKey.bind(t)
                    try insertKey.run()
                }
            }
        }

        if let regionRun { addRegionTotals(regionRun.totals, for: regionRun.key) }

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
        if !c.verifiedDigests.isEmpty {
            var putDigest = try RawStatement(db, """
                INSERT INTO verified_digests (account, region, trail, digest, digest_end, verified_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (account, region, trail) DO UPDATE SET digest = excluded.digest,
                    digest_end = excluded.digest_end, verified_at = excluded.verified_at
                WHERE excluded.digest_end >= verified_digests.digest_end
                """)
            for d in c.verifiedDigests {
                putDigest.bind(d.account)
                putDigest.bind(d.region)
                putDigest.bind(d.trail)
                putDigest.bind(d.digest)
                putDigest.bind(d.digestEnd.milliseconds)
                putDigest.bind(d.verifiedAt.milliseconds)
                try putDigest.run()
            }
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
        guard c.hasFile else { return inserted }
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
