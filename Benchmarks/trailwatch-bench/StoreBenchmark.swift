import ArgumentParser
import Foundation
import TrailModel
import TrailPostgres
import TrailPresentation
import TrailStore

/// `trailwatch-bench store`: fills a fresh store through `Store.commit` in file-sized batches,
/// then times every `trailwatch query` (and `alerts`, `status`) on it.
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Commit N synthetic secret-access events, then time each query (median of several runs).")

    @Option(help: "Events to generate and commit.")
    var events: Int = 5_000_000

    @Option(help: "Events per file (one commit each).")
    var perFile: Int = 1000

    @Option(help: "Files per transaction (Store.commit([FileCommit])); 1 = one transaction per file.")
    var filesPerCommit: Int = 1

    @Option(help: "SQLite path (must not exist unless --reuse), or a postgres:// URL of an empty database (the password from PGPASSWORD or ~/.pgpass).")
    var db: String = "trailwatch-bench.db"

    @Flag(help: "Skip filling: time the queries on an existing database made by an earlier run.")
    var reuse = false

    @Option(help: "Runs per query; the median is reported.")
    var runs: Int = 7

    @Option(help: "Random seed of the synthetic history.")
    var seed: UInt64 = 42

    func run() async throws {
        var history = SyntheticHistory(seed: seed)
        if !reuse && !isPostgres {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        if !reuse { try fill(&history) }
        try timeQueries(history)
    }

    private var isPostgres: Bool { PostgresLocation.isPostgres(db) }

    /// The store at `--db`: SQLite by path, PostgreSQL by URL (as `trailwatch --db` does).
    private func openStore(readOnly: Bool) throws -> Store {
        isPostgres ? try PostgresStore.open(url: db, readOnly: readOnly) : try Store.open(path: db, readOnly: readOnly)
    }

    /// `--db` for printing: a URL without its password.
    private var shownDB: String { isPostgres ? PostgresLocation.redact(db) : db }

    private func now() -> Double { Date().timeIntervalSince1970 }

    /// CPU seconds used by this thread: with many processes sharing the cores, wall-clock rates
    /// measure the neighbours as much as the store, so both are printed.
    private func cpu() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func fill(_ history: inout SyntheticHistory) throws {
        let store = try openStore(readOnly: false)
        try store.lockForWriting()
        let files = max(1, (events + perFile - 1) / perFile)
        var committed = 0, accessRows = 0, alerts = 0
        var commitSeconds = 0.0, generateSeconds = 0.0, commitCPU = 0.0
        let started = now()
        var lastReport = started
        print("filling \(shownDB): \(events) events in \(files) files of \(perFile), \(filesPerCommit) file(s) per transaction")
        var pending: [FileCommit] = []
        var pendingRows = 0
        for f in 0..<files {
            let count = min(perFile, events - committed)
            let g0 = now()
            let batch = history.file(index: f, of: files, count: count)
            var fileAlerts: [(alert: Alert, json: String)] = []
            for e in batch where e.eventName == "DeleteSecret" || e.errorCode != nil && e.eventID.hasSuffix("7") {
                let id = "bench-" + e.eventID
                let alert = Alert(id: id, rule: e.eventName == "DeleteSecret" ? "secret-scheduled-for-deletion" : "denied-reads",
                                  severity: e.eventName == "DeleteSecret" ? .high : .medium, title: "t", summary: "\(e.principal.displayName) \(e.eventName) \(e.secrets.first?.name ?? "-")",
                                  time: e.eventTime, account: e.account, region: e.region, principal: e.principal, secret: e.secrets.first,
                                  eventID: e.eventID, eventName: e.eventName, sourceIPAddress: e.sourceIPAddress, userAgent: e.userAgent,
                                  recordJSON: "{}")
                fileAlerts.append((alert, "{\"id\":\"\(id)\",\"rule\":\"\(alert.rule)\",\"count\":1}"))
            }
            let newest = batch.map(\.eventTime).max()
            let account = SyntheticHistory.accounts[f % SyntheticHistory.accounts.count]
            let region = SyntheticHistory.regions[(f / 3) % SyntheticHistory.regions.count]
            let path = "bench/AWSLogs/\(account)/CloudTrail/\(region)/\(f / 100)/\(account)_CloudTrail_\(region)_\(f).json.gz"
            let commit = FileCommit(
                ledger: FileLedgerEntry(path: path, size: Int64(count * 180), fingerprint: "fp\(f)", format: "cloudTrailLog",
                                        records: count, status: .done, ingestedAt: EventTime(milliseconds: Int64(now() * 1000)),
                                        newestEventTime: newest),
                events: batch, alerts: fileAlerts,
                state: [DetectorStateEntry(namespace: "bench", key: "file-\(f % 100)", value: "{\"n\":\(f)}")])
            let c0 = now()
            generateSeconds += c0 - g0
            pending.append(commit)
            pendingRows += batch.reduce(0) { $0 + Set($1.secrets.map(\.id)).count }
            committed += count
            if pending.count >= max(1, filesPerCommit) || committed >= events {
                let p0 = cpu()
                let inserted = try pending.count == 1 ? [store.commit(pending[0])] : store.commit(pending)
                commitCPU += cpu() - p0
                alerts += inserted.reduce(0) { $0 + $1.count }
                accessRows += pendingRows
                pending = []
                pendingRows = 0
            }
            commitSeconds += now() - c0
            if now() - lastReport > 10 {
                lastReport = now()
                print(String(format: "  %d events, %.0f access rows/s committed so far", committed, Double(accessRows) / commitSeconds))
            }
        }
        let total = now() - started
        print(String(format: "filled: %d events, %d access rows, %d alerts in %.1f s (generation %.1f s, commit %.1f s)",
                     committed, accessRows, alerts, total, generateSeconds, commitSeconds))
        print(String(format: "commit throughput: %.0f access rows/s, %.0f events/s (wall clock)", Double(accessRows) / commitSeconds, Double(committed) / commitSeconds))
        print(String(format: "commit CPU: %.1f s of this thread, %.0f access rows per CPU second", commitCPU, Double(accessRows) / commitCPU))
        if !isPostgres {
            let size = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0
            print(String(format: "database size: %.0f MB", Double(size) / 1_048_576))
        }
    }

    private func timeQueries(_ history: SyntheticHistory) throws {
        let store = try openStore(readOnly: true)
        // "now" is a day after the history ends, so relative ranges and lags mean something.
        let now = history.start.adding(.init(milliseconds: history.span)).adding(.days(1))
        let service = QueryService(store: store, now: now)
        let hotSecret = history.secrets[history.secretsOf(role: 0)[0]]
        let typicalSecret = history.secrets[history.secretsOf(role: 250)[0]]
        let hotRole = history.roles[0]
        let user = history.users[3]
        let lastWeek = QueryScope(since: now.adding(.days(-8)))
        let table = ResultFormatter(format: .table)
        var cases: [(String, () throws -> String)] = []
        cases.append(("query access --secret <hot secret, full ARN>", {
            table.render(try service.access(QueryScope(), AccessFilter(secret: hotSecret.id))) }))
        cases.append(("query access --secret <hot secret name>", {
            table.render(try service.access(QueryScope(account: hotSecret.account, region: hotSecret.region), AccessFilter(secret: hotSecret.name))) }))
        cases.append(("query access --principal <busiest role ARN>", {
            table.render(try service.access(QueryScope(), AccessFilter(principal: hotRole.id))) }))
        cases.append(("query access (everything, newest 100)", {
            table.render(try service.access(QueryScope(), AccessFilter())) }))
        cases.append(("query access --secret <hot> --errors", {
            table.render(try service.access(QueryScope(), AccessFilter(secret: hotSecret.id, errors: true))) }))
        cases.append(("query access --event DeleteSecret", {
            table.render(try service.access(QueryScope(), AccessFilter(eventNames: ["DeleteSecret"]))) }))
        cases.append(("query access --source-ip 198.51.100.0/24", {
            table.render(try service.access(QueryScope(), AccessFilter(sourceCIDR: "198.51.100.0/24"))) }))
        cases.append(("query callers --secret <hot secret>", {
            table.render(try service.callers(QueryScope(), secret: hotSecret.id)) }))
        cases.append(("query callers --secret <hot secret> --since 8d", {
            table.render(try service.callers(lastWeek, secret: hotSecret.id)) }))
        cases.append(("query callers --secret <typical secret>", {
            table.render(try service.callers(QueryScope(), secret: typicalSecret.id)) }))
        cases.append(("query secrets --principal <busiest role>", {
            table.render(try service.secrets(QueryScope(), principal: hotRole.id)) }))
        cases.append(("query secrets --principal <user name>", {
            table.render(try service.secrets(QueryScope(), principal: user.displayName)) }))
        cases.append(("query secrets --principal <busiest role> --since 8d", {
            table.render(try service.secrets(lastWeek, principal: hotRole.id)) }))
        cases.append(("query secret <hot secret> (story)", {
            try service.secretStory(QueryScope(), secret: hotSecret.id)?.render(table) ?? "" }))
        cases.append(("query pending-deletions", { table.render(try service.pendingDeletions(QueryScope())) }))
        cases.append(("query unused --days 30", { table.render(try service.unused(QueryScope(), days: 30)) }))
        cases.append(("query unused --days 30 --until <history end>", {
            table.render(try service.unused(QueryScope(until: now.adding(.days(-1))), days: 30)) }))
        cases.append(("alerts (newest 100)", { try service.alerts(QueryScope()).render(table) }))
        cases.append(("alerts --severity high --format json", {
            try service.alerts(QueryScope(), minimumSeverity: .high).render(ResultFormatter(format: .json)) }))
        cases.append(("status", { try service.status().render(table) }))

        print("\nquery latency on \(shownDB) (median of \(runs) runs, including table formatting):")
        var worst = 0.0
        for (name, body) in cases {
            var times: [Double] = []
            var lines = 0
            for _ in 0..<max(1, runs) {
                let t0 = self.now()
                let out = try body()
                times.append((self.now() - t0) * 1000)
                lines = out.split(separator: "\n").count
            }
            times.sort()
            let median = times[times.count / 2]
            worst = max(worst, median)
            print(String(format: "  %8.2f ms  %-58@ (%d lines)", median, name as NSString, lines))
        }
        print(String(format: "slowest median: %.2f ms (target < 100 ms)", worst))
    }
}
