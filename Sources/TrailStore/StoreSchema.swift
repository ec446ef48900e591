import GRDB

/// The store's schema: named, append-only migrations, one transaction each.
///
/// Never edit a registered migration: add a new one. Constraints live in the schema (unique event
/// ids, one access row per event and secret, foreign keys) so that SQLite enforces them.
package enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-access-history") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-access-by-secret") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-alert-emission") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4-verified-digests") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5-alert-outbox") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6-file-claims") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7-detector-state-by-rowid") { db in
            try db.execute(sql: v7)
        }
        migrator.registerMigration("v8-deliveries-by-due-time") { db in
            try db.execute(sql: v8)
        }
        return migrator
    }

    /// Event names that change a secret (rather than read it): they get `notable = 1` in `access`,
    /// which a partial index keeps cheap to find for the secret story and pending deletions.
    package static let readNames: Set<String> = [
        "GetSecretValue", "BatchGetSecretValue", "DescribeSecret", "ListSecretVersionIds", "GetResourcePolicy",
        "ListSecrets", "GetRandomPassword", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
        "Encrypt", "ReEncrypt", "DescribeKey", "ValidateResourcePolicy",
    ]

    private static let v1 = """
        CREATE TABLE principals (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,          -- Principal.id: role ARN, user ARN, service name, ...
            type TEXT NOT NULL,
            display TEXT NOT NULL,             -- role/app-payments, user/alice, root
            name TEXT NOT NULL,                -- last path element: role or user name
            account TEXT,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        );
        CREATE INDEX principals_name ON principals(name);
        CREATE INDEX principals_display ON principals(display);

        CREATE TABLE secrets (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,          -- SecretRef.id: full ARN, else partial ARN
            name TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            is_full INTEGER NOT NULL CHECK (is_full IN (0, 1)),
            first_seen INTEGER,
            last_seen INTEGER
        );
        CREATE INDEX secrets_name ON secrets(name, account, region);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            time INTEGER NOT NULL,             -- ms since epoch, UTC
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            principal INTEGER NOT NULL REFERENCES principals(id),
            session TEXT,
            source_ip TEXT,
            user_agent TEXT,
            error_code TEXT,
            error_message TEXT,
            read_only INTEGER,
            details TEXT                       -- JSON: deletion window, force, policy flags, KMS keys; never secret values
        );
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_principal_time ON events(principal, time);

        -- One row per (event, secret): "who accessed this secret when", "what did this principal access".
        CREATE TABLE access (
            event INTEGER NOT NULL REFERENCES events(id),
            secret INTEGER NOT NULL REFERENCES secrets(id),
            time INTEGER NOT NULL,
            principal INTEGER NOT NULL REFERENCES principals(id),
            name TEXT NOT NULL,                -- event name (denormalised)
            failed INTEGER NOT NULL,           -- 1 when the event has an errorCode
            notable INTEGER NOT NULL,          -- 1 when the event changes the secret
            PRIMARY KEY (event, secret)
        ) WITHOUT ROWID;
        CREATE INDEX access_secret_time ON access(secret, time);
        CREATE INDEX access_principal_time ON access(principal, time);
        CREATE INDEX access_notable_secret ON access(secret, time) WHERE notable = 1;
        CREATE INDEX access_notable_name ON access(name, time) WHERE notable = 1;

        -- Running totals per (secret, principal, event name), kept in the commit transaction, so that
        -- callers/secrets/unused answer from a few rows whatever the size of the history.
        CREATE TABLE usage (
            secret INTEGER NOT NULL REFERENCES secrets(id),
            principal INTEGER NOT NULL REFERENCES principals(id),
            name TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            last_ok INTEGER,                   -- newest call without errorCode
            count INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            PRIMARY KEY (secret, principal, name)
        ) WITHOUT ROWID;
        CREATE INDEX usage_principal ON usage(principal, secret);

        -- Keys seen protecting a secret (KMS events with encryptionContext, CreateSecret/UpdateSecret kmsKeyId).
        CREATE TABLE secret_keys (
            secret INTEGER NOT NULL REFERENCES secrets(id),
            key TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            PRIMARY KEY (secret, key)
        ) WITHOUT ROWID;

        -- Stored events per account and region, for `status`.
        CREATE TABLE regions (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            events INTEGER NOT NULL,
            oldest INTEGER NOT NULL,
            newest INTEGER NOT NULL,
            PRIMARY KEY (account, region)
        ) WITHOUT ROWID;

        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            severity_rank INTEGER NOT NULL,
            time INTEGER NOT NULL,
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            principal TEXT NOT NULL,           -- Principal.id
            secret TEXT,                       -- SecretRef.id
            event_id TEXT NOT NULL,
            summary TEXT NOT NULL,
            count INTEGER NOT NULL,
            json TEXT NOT NULL                 -- the alert as first emitted (count patched on output)
        ) WITHOUT ROWID;
        CREATE INDEX alerts_time ON alerts(time);
        CREATE INDEX alerts_secret ON alerts(secret, time);

        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            fingerprint TEXT NOT NULL,
            format TEXT NOT NULL,
            records INTEGER NOT NULL,
            skipped INTEGER NOT NULL,
            invalid INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'skipped')),
            reason TEXT,
            ingested_at INTEGER NOT NULL,
            newest_event_time INTEGER,
            account TEXT,                      -- from the S3 layout, when the path follows it
            region TEXT
        ) WITHOUT ROWID;

        CREATE TABLE detector_state (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (namespace, key)
        ) WITHOUT ROWID;
        """

    /// Access rows clustered by (secret, time), so that a secret's history is one sequential range
    /// (callers, story, `--errors` read no extra pages); events indexed by name and by failure for
    /// `query access --event/--errors` without a secret. The key stays unique per (event, secret)
    /// because an event has one time, and `access_event` keeps that rule explicit. (A development
    /// build briefly had the events indexes in v1, hence `IF NOT EXISTS`.)
    private static let v2 = """
        CREATE TABLE access_v2 (
            secret INTEGER NOT NULL REFERENCES secrets(id),
            time INTEGER NOT NULL,
            event INTEGER NOT NULL REFERENCES events(id),
            principal INTEGER NOT NULL REFERENCES principals(id),
            name TEXT NOT NULL,
            failed INTEGER NOT NULL,
            notable INTEGER NOT NULL,
            PRIMARY KEY (secret, time, event)
        ) WITHOUT ROWID;
        INSERT INTO access_v2 (secret, time, event, principal, name, failed, notable)
            SELECT secret, time, event, principal, name, failed, notable FROM access;
        DROP TABLE access;
        ALTER TABLE access_v2 RENAME TO access;
        CREATE UNIQUE INDEX access_event ON access(event, secret);
        CREATE INDEX access_notable_secret ON access(secret, time) WHERE notable = 1;
        CREATE INDEX access_notable_name ON access(name, time) WHERE notable = 1;
        CREATE INDEX access_failed ON access(secret, time) WHERE failed = 1;
        CREATE INDEX IF NOT EXISTS events_name_time ON events(name, time);
        CREATE INDEX IF NOT EXISTS events_failed_time ON events(time) WHERE error_code IS NOT NULL;
        """

    /// Whether each alert has reached the sinks. Alerts commit with their file and are marked
    /// emitted once printed, so a crash between the two re-prints them on restart instead of
    /// losing them. Alerts stored before this migration were printed when they were stored.
    static let v3 = """
        ALTER TABLE alerts ADD COLUMN emitted INTEGER NOT NULL DEFAULT 0;
        UPDATE alerts SET emitted = 1;
        CREATE INDEX alerts_unemitted ON alerts(time, id) WHERE emitted = 0;
        """

    /// The newest CloudTrail digest whose signature and chain link verified, per account, region
    /// and trail (`trailwatch tail --public-keys`), for `status` and for finding a logging gap
    /// when a chain restarts.
    static let v4 = """
        CREATE TABLE verified_digests (
            account TEXT NOT NULL,
            region TEXT NOT NULL,
            trail TEXT NOT NULL,
            digest TEXT NOT NULL,
            digest_end INTEGER NOT NULL,
            verified_at INTEGER NOT NULL,
            PRIMARY KEY (account, region, trail)
        ) WITHOUT ROWID;
        """

    /// The outbox: one delivery row per (sink, alert), in the order the alerts were handed over.
    /// `alerts.emitted` now means "handed to the outbox" (rows exist for the sinks of the run that
    /// committed it); alerts printed before this migration keep `emitted = 1` and get no rows, and
    /// alerts still at 0 are handed to the sinks of the next run. `sink` is the sink's redacted
    /// name, never a URL with its secret path or a token.
    static let v5 = """
        CREATE TABLE deliveries (
            seq INTEGER PRIMARY KEY,             -- hand-over order: commit order, then detection order
            sink TEXT NOT NULL,
            alert TEXT NOT NULL REFERENCES alerts(id),
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt INTEGER NOT NULL DEFAULT 0, -- ms since epoch (wall clock): not before
            enqueued_at INTEGER NOT NULL,
            delivered_at INTEGER,
            reason TEXT,                         -- the last failure: status and first bytes, or the error
            UNIQUE (sink, alert)
        );
        CREATE INDEX deliveries_pending ON deliveries(sink, seq) WHERE state = 'pending';
        CREATE INDEX deliveries_failed ON deliveries(sink, seq) WHERE state = 'failed';
        """

    /// File claims of workers sharing the store (see ``FileClaims``): who reads a file now, until
    /// when (ms since epoch). A commit of the file deletes its claim in the same transaction.
    static let v6 = """
        CREATE TABLE claims (
            path TEXT PRIMARY KEY,
            worker TEXT NOT NULL,
            expires INTEGER NOT NULL
        );
        """

    /// Detector state as a rowid table with its key in a unique index. As a `WITHOUT ROWID`
    /// table its rows were the b-tree's keys: a group's state of megabytes (a threshold window
    /// holding 20,000 reads) sat whole in interior pages, and every later insert that passed it
    /// on the way down read it back from its overflow pages to compare keys (56% of a backfill's
    /// time, 20,000 first-seen entries after one such group). Now the index holds only the keys.
    static let v7 = """
        CREATE TABLE detector_state_v7 (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (namespace, key)
        );
        INSERT INTO detector_state_v7 (namespace, key, value) SELECT namespace, key, value FROM detector_state;
        DROP TABLE detector_state;
        ALTER TABLE detector_state_v7 RENAME TO detector_state;
        """

    /// Pending deliveries by when they are due, then hand-over order. Taken by `seq` alone,
    /// alerts a sink keeps refusing (a 500 for one payload) came first again at every round and,
    /// as many as `--max-in-flight`, held every later alert back for ever; fresh rows (due at 0)
    /// now come before retries, and retries in the order they fall due.
    static let v8 = """
        CREATE INDEX deliveries_due ON deliveries(sink, next_attempt, seq) WHERE state = 'pending';
        """
}
