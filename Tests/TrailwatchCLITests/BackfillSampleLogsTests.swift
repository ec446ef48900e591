import Foundation
import Testing

/// `trailwatch backfill SampleLogs`: exactly the planted incidents alerted, with their rules and
/// severities, nothing else; the summary counts; idempotent re-runs; the same alerts whatever
/// `--jobs`, the order the paths are given in, the rules' source or the alert sink.
/// The incidents come from `Fixtures/sample-incidents.json` (written with `SampleLogs/` by
/// `Scripts/make-sample-logs.py`).
@Suite("backfill SampleLogs")
struct BackfillSampleLogsTests {
    /// The alerts in the order `backfill` emits them (file delivery order, then rule order):
    /// planted incident, rule, severity. Each alert's eventID is the incident's first record, except
    /// for the bursts, which fire on their 20th record in event time (the threshold is 20).
    static let expectedAlerts: [(kind: String, rule: String, severity: String)] = [
        ("secret_delete_short_window", "secret-deletion-scheduled", "critical"),
        ("getsecret_burst", "secret-read-burst", "high"),
        ("secret_delete_denied", "secret-deletion-scheduled", "medium"),
        // Held until its window has settled (30 minutes of event time past its end), so it prints
        // after the denied deletion that follows it.
        ("getsecret_denied_burst", "secret-read-denied-burst", "medium"),
        ("secret_delete_forced", "secret-deletion-scheduled", "critical"),
        ("secret_delete_scheduled", "secret-deletion-scheduled", "high"),
        ("read_pending_deletion", "secret-read-pending-deletion", "medium"),
        ("secret_rotation_cancelled", "secret-rotation-cancelled", "medium"),
        ("secret_restore", "secret-deletion-cancelled", "low"),
        ("getsecret_new_principal", "secret-read-by-new-principal", "medium"),
        ("kms_key_disabled", "kms-key-disabled-or-deleted", "high"),
        ("secret_policy_public", "secret-resource-policy-changed", "high"),
        ("secret_policy_delete", "secret-resource-policy-changed", "medium"),
        ("kms_key_deletion_scheduled", "kms-key-disabled-or-deleted", "high"),
        // Root has never read this secret either: a first-seen read as well as a root read.
        ("getsecret_root", "secret-read-by-new-principal", "medium"),
        ("getsecret_root", "secret-read-by-root", "high"),
        ("kms_key_policy_put", "kms-key-disabled-or-deleted", "high"),
        ("batch_get_all_secrets", "secret-batch-catch-all", "high"),
        ("secret_rotation_failed", "secret-rotation-failed", "medium"),
        ("secret_policy_put", "secret-resource-policy-changed", "medium"),
    ]

    /// Every shipped rule that SampleLogs makes fire (it has no trail changes and no bulk batch reads).
    static let shippedRules: Set<String> = [
        "secret-deletion-scheduled", "secret-deletion-cancelled", "secret-resource-policy-changed",
        "kms-key-disabled-or-deleted", "secret-rotation-cancelled", "secret-rotation-failed", "secret-read-by-root",
        "secret-read-by-new-principal", "secret-read-burst", "secret-read-denied-burst", "secret-batch-catch-all",
        "secret-read-pending-deletion",
    ]

    static let burstKinds: Set<String> = ["getsecret_burst", "getsecret_denied_burst"]

    /// Secret-related events in SampleLogs: 2715 distinct Secrets Manager events and KMS events
    /// naming a secret (encryptionContext.SecretARN), plus the DisableKey, ScheduleKeyDeletion and
    /// PutKeyPolicy on keys known to encrypt secrets.
    static let eventsStored = 2718

    let expected: SampleIncidents

    init() throws { expected = try SampleIncidents.load() }

    /// The eventID the alert for `kind` carries.
    func anchor(_ kind: String) throws -> String {
        let incident = try #require(expected.incident(kind), "no incident \(kind) in the fixture")
        let index = Self.burstKinds.contains(kind) ? 19 : 0
        try #require(incident.eventIDs.count > index, "\(kind) has \(incident.eventIDs.count) records")
        return incident.eventIDs[index]
    }

    private func backfill(_ paths: [String], db: URL, in dir: TempDirectory, _ extra: [String] = []) throws -> CLIResult {
        try TrailwatchBinary.run(["backfill"] + paths + ["--db", db.path] + extra, in: dir.url)
    }

    @Test("exactly the planted incidents are alerted, each with its rule and severity, in a fixed order")
    func exactAlerts() throws {
        let run = try SampleRun.get().result
        #expect(run.exitCode == 0, "\(run)")
        let alerts = try AlertLine.parse(run.stdout)
        let want = try Self.expectedAlerts.map { "\($0.rule) \($0.severity) \(try anchor($0.kind))" }
        #expect(alerts.map(\.key) == want, "\(run)")
        #expect(Set(alerts.map(\.rule)) == Self.shippedRules)
        #expect(Set(alerts.map(\.id)).count == alerts.count, "duplicate alert ids")
        #expect(Set(Self.expectedAlerts.map(\.kind)) == Set(expected.incidents.map(\.kind)), "an incident has no expected alert")

        for alert in alerts {
            guard let incident = expected.incidents.first(where: { $0.eventIDs.contains(alert.eventID) }) else {
                Issue.record("false positive: \(alert.key)")
                continue
            }
            let where_ = "\(incident.kind) \(alert.rule)"
            #expect(alert.eventName == incident.eventName, "\(where_)")
            #expect(alert.account == incident.account && alert.region == incident.region, "\(where_)")
            if !Self.burstKinds.contains(incident.kind) { #expect(alert.time == incident.eventTime, "\(where_)") }
            if let principal = incident.principal { #expect(alert.principal?.id == principal, "\(where_)") }
            if let secret = incident.secret { #expect(alert.secret?.id == secret, "\(where_)") }
            #expect(alert.count == 1, "\(where_)")
            #expect(!(alert.title ?? "").isEmpty && !(alert.summary ?? "").isEmpty, "\(where_)")
            #expect(alert.id.count == 16 && alert.id.allSatisfy(\.isHexDigit), "\(where_): id \(alert.id)")
        }
    }

    @Test("the summary line counts files, records, stored events and alerts; nothing else on stderr")
    func summary() throws {
        let run = try SampleRun.get().result
        let summary = try #require(BackfillSummary(stderr: run.stderr), "no summary line\n\(run)")
        // Skipped: the two CloudTrail-Digest files and SampleLogs/README.md.
        #expect(summary == BackfillSummary(filesDone: expected.logFiles, filesSkipped: expected.digestFiles + 1,
                                           filesFailed: 0, records: expected.records, eventsStored: Self.eventsStored,
                                           alerts: Self.expectedAlerts.count), "\(run)")
        #expect(run.stderrLines.count == 1, "\(run)")
    }

    @Test("the store holds the printed alerts and stores the twice-delivered record once")
    func storeMatchesOutput() throws {
        let run = try SampleRun.get()
        let snapshot = try StoreSnapshot(db: run.db)
        // A folded alert's count grows in the store after it was printed (the pending-deletion
        // reads fold into one alert of count 4); everything else is the printed line.
        func unfolded(_ line: String) -> String { line.replacingOccurrences(of: #"\},"count":[0-9]+,"record":"#, with: #"},"count":1,"record":"#, options: .regularExpression) }
        #expect(snapshot.alerts.map(unfolded).sorted() == run.result.stdoutLines.sorted())
        #expect(snapshot.alerts.contains { $0.contains(#""rule":"secret-read-pending-deletion""#) && $0.contains(#"},"count":4,"record":"#) })
        let duplicate = snapshot.access.filter { $0.contains(#""eventID":"\#(expected.duplicateEventID)""#) }
        #expect(duplicate.count == 1, "\(duplicate)")
    }

    @Test("a second run over the same store prints nothing and changes nothing")
    func secondRunAddsNothing() throws {
        let dir = try TempDirectory()
        let db = try SampleRun.copyStore(to: dir, as: "again.db")
        let before = try StoreSnapshot(db: db)
        let again = try backfill([PackagePaths.sampleLogs.path], db: db, in: dir)
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.isEmpty, "\(again)")
        #expect(BackfillSummary(stderr: again.stderr) == BackfillSummary(
            filesDone: 0, filesSkipped: 0, filesFailed: 0, filesAlreadyIngested: expected.logFiles + expected.digestFiles + 1,
            records: 0, eventsStored: 0, alerts: 0), "\(again)")
        #expect(try StoreSnapshot(db: db) == before)
    }

    @Test("the same archive at another path is read again but adds no event and no alert")
    func sameArchiveElsewhere() throws {
        let dir = try TempDirectory()
        let db = try SampleRun.copyStore(to: dir, as: "moved.db")
        let before = try StoreSnapshot(db: db)
        let moved = try dir.copy(PackagePaths.sampleLogs.appendingPathComponent("AWSLogs"), to: "moved/AWSLogs")
        let again = try backfill([moved.path], db: db, in: dir)
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.isEmpty, "\(again)")
        #expect(BackfillSummary(stderr: again.stderr) == BackfillSummary(
            filesDone: expected.logFiles, filesSkipped: expected.digestFiles, filesFailed: 0,
            records: expected.records, eventsStored: 0, alerts: 0), "\(again)")
        #expect(try StoreSnapshot(db: db) == before)
    }

    @Test("--jobs 1 prints exactly what --jobs 2 prints")
    func deterministicAcrossJobs() throws {
        let dir = try TempDirectory()
        let two = try SampleRun.get().result
        let one = try backfill([PackagePaths.sampleLogs.path], db: dir.path("one.db"), in: dir, ["--jobs", "1"])
        #expect(one.exitCode == 0 && two.exitCode == 0, "\(one)\n\(two)")
        #expect(one.stdout == two.stdout)
    }

    @Test("the accounts' directories given in swapped order print exactly the same alerts")
    func swappedDirectories() throws {
        let dir = try TempDirectory()
        let accounts = PackagePaths.sampleLogs.appendingPathComponent("AWSLogs")
        let swapped = try FileManager.default.contentsOfDirectory(atPath: accounts.path).sorted().reversed()
            .map { accounts.appendingPathComponent($0).path }
        #expect(swapped.count == 2)
        let result = try backfill(swapped, db: dir.path("swapped.db"), in: dir)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == (try SampleRun.get().result.stdout))
    }

    /// Copies the SampleLogs log files into one directory under names without a delivery stamp
    /// (so they are read in name order), in delivery order except that within each `block` minutes
    /// of delivery stamps the files come newest first: each file up to `block` minutes late.
    static func lateTree(in dir: TempDirectory, blockMinutes block: Int) throws -> URL {
        let root = PackagePaths.sampleLogs.appendingPathComponent("AWSLogs")
        let names = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json.gz") && !$0.contains("CloudTrail-Digest") }
        // <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd'T'HHmm'Z'"
        func minutes(_ path: String) -> Int {
            let parts = URL(fileURLWithPath: path).lastPathComponent.split(separator: "_")
            guard parts.count > 3, let date = format.date(from: String(parts[3])) else { return 0 }
            return Int(date.timeIntervalSince1970 / 60)
        }
        let ordered = names.map { (m: minutes($0), path: $0) }.sorted { ($0.m, $0.path) < ($1.m, $1.path) }
        let blocks = Dictionary(grouping: ordered) { $0.m / block }.sorted { $0.key < $1.key }
        let late = blocks.flatMap { $0.value.reversed() }
        for (i, file) in late.enumerated() {
            try dir.copy(root.appendingPathComponent(file.path), to: String(format: "late/part-%04d.json.gz", i))
        }
        return dir.path("late")
    }

    /// Threshold alerts are held until the watermark passes their window's end plus the settle
    /// time (default the 30-minute lateness), so late files cannot change which event they name:
    /// the denied burst (24 records, 4 more than the threshold) whose early records arrive last is
    /// still attributed to 04cf86b7 at 21:36:44, as in order.
    @Test("files delivered late (newest first within 20- or 30-minute blocks, inside the 30-minute lateness) give the same alerts",
          arguments: [20, 30])
    func lateFiles(blockMinutes: Int) throws {
        let dir = try TempDirectory()
        let late = try Self.lateTree(in: dir, blockMinutes: blockMinutes)
        let result = try backfill([late.path], db: dir.path("late.db"), in: dir)
        #expect(result.exitCode == 0, "\(result)")
        let inOrder = try Set(AlertLine.parse(SampleRun.get().result.stdout).map { "\($0.id) \($0.key)" })
        let lateAlerts = try Set(AlertLine.parse(result.stdout).map { "\($0.id) \($0.key)" })
        #expect(lateAlerts.count == inOrder.count)
        #expect(lateAlerts == inOrder, "only in order: \(inOrder.subtracting(lateAlerts)); only late: \(lateAlerts.subtracting(inOrder))")
    }

    @Test("--settle PT0S fires threshold alerts at once: the same alerts, the denied burst printed where it completes")
    func settleZero() throws {
        let dir = try TempDirectory()
        let result = try backfill([PackagePaths.sampleLogs.path], db: dir.path("zero.db"), in: dir, ["--settle", "PT0S"])
        #expect(result.exitCode == 0, "\(result)")
        let alerts = try AlertLine.parse(result.stdout)
        let settled = try AlertLine.parse(SampleRun.get().result.stdout)
        #expect(Set(alerts.map { "\($0.id) \($0.key)" }) == Set(settled.map { "\($0.id) \($0.key)" }))
        // At once: before the denied deletion that follows it in event time.
        let keys = alerts.map(\.key)
        let burst = try #require(keys.firstIndex { $0.hasPrefix("secret-read-denied-burst ") })
        let deletion = try #require(keys.firstIndex { $0 == "secret-deletion-scheduled medium \(try anchor("secret_delete_denied"))" })
        #expect(burst < deletion, "\(keys)")
    }

    @Test("threshold alerts still held after the last file are printed at the end of the backfill, once")
    func heldAlertsFlushedAtTheEnd() throws {
        let dir = try TempDirectory()
        // Settling longer than the archive spans: every threshold alert waits for the end.
        let args = ["--settle", "P30D"]
        let result = try backfill([PackagePaths.sampleLogs.path], db: dir.path("flush.db"), in: dir, args)
        #expect(result.exitCode == 0, "\(result)")
        let alerts = try AlertLine.parse(result.stdout)
        let settled = try AlertLine.parse(SampleRun.get().result.stdout)
        #expect(alerts.map { "\($0.id) \($0.key)" }.sorted() == settled.map { "\($0.id) \($0.key)" }.sorted())
        let thresholdRules: Set<String> = ["secret-read-burst", "secret-read-denied-burst"]
        #expect(alerts.suffix(2).allSatisfy { thresholdRules.contains($0.rule) }, "\(alerts.map(\.key))")
        #expect(result.stderr.contains("alerts: \(alerts.count);"), "\(result.stderr)")
        let again = try backfill([PackagePaths.sampleLogs.path], db: dir.path("flush.db"), in: dir, args)
        #expect(again.exitCode == 0 && again.stdout.isEmpty, "\(again)")
    }

    @Test("--rules Rules (the repository's rule files) gives exactly the alerts of the built-in rules")
    func rulesDirectoryEqualsBuiltIn() throws {
        let dir = try TempDirectory()
        let rules = PackagePaths.root.appendingPathComponent("Rules").path
        let result = try backfill([PackagePaths.sampleLogs.path], db: dir.path("rules.db"), in: dir, ["--rules", rules])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == (try SampleRun.get().result.stdout))
    }

    @Test("--alerts FILE (created with mode 0600) gets the alert lines, appended; stdout stays empty")
    func alertsFile() throws {
        let dir = try TempDirectory()
        let file = dir.path("alerts.jsonl")
        let args = ["--alerts", file.path]
        let first = try backfill([PackagePaths.sampleLogs.path], db: dir.path("b.db"), in: dir, args)
        #expect(first.exitCode == 0, "\(first)")
        #expect(first.stdout.isEmpty, "\(first)")
        let expectedText = try SampleRun.get().result.stdout
        #expect(try String(contentsOf: file, encoding: .utf8) == expectedText)
        let mode = (try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "alerts file mode \(String(mode ?? -1, radix: 8))")
        // A re-run has nothing to add, and appends nothing.
        let again = try backfill([PackagePaths.sampleLogs.path], db: dir.path("b.db"), in: dir, args)
        #expect(again.exitCode == 0 && again.stdout.isEmpty, "\(again)")
        #expect(try String(contentsOf: file, encoding: .utf8) == expectedText)
    }

    @Test("without --db the store is ./trailwatch.db, created with mode 0600 (and its side files too)")
    func defaultStore() throws {
        let dir = try TempDirectory()
        let result = try TrailwatchBinary.run(["backfill", PackagePaths.sampleLogs.path], in: dir.url)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout == (try SampleRun.get().result.stdout))
        let files = try dir.files()
        #expect(files.contains("trailwatch.db"), "\(files)")
        for name in files where name.hasPrefix("trailwatch.db") {
            let mode = (try FileManager.default.attributesOfItem(atPath: dir.path(name).path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(name): mode \(String(mode ?? -1, radix: 8))")
        }
    }
}
