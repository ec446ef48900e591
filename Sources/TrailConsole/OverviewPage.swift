import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    static let overviewParameters: Set<String> = ["since", "until", "account", "region"]

    /// `/`: alerts by severity per day, secrets pending deletion with a countdown, and ingestion
    /// status (newest event and lag per account and region, failed files).
    func overview(_ q: ConsoleRequest) throws -> String {
        let service = service()
        let now = service.now
        var scope = try q.scope(now: now, defaultLimit: 50, maxLimit: 500)
        let newest = try service.newestAlertTime()
        // Anchored at the newest alert or now, whichever is earlier: a forged future time must not
        // move the window.
        let last = scope.until.map { EventTime(milliseconds: $0.milliseconds - 1) } ?? newest.map { min($0, now) } ?? now
        if scope.since == nil { scope.since = EventTime(milliseconds: last.milliseconds - 29 * 86_400_000) }
        let counts = try service.dailyAlerts(scope)
        var chart = StackedBarChart()
        chart.classOf = { "sev-fill-" + $0 }
        let chartHTML = chart.render(counts, first: Self.day(scope.since!), last: Self.day(last), label: "alerts")

        // Upcoming deletions first (soonest first); passed ones and the rest on /pending.
        let split = try deletions(service, account: scope.account, region: scope.region)
        var pending = split.upcoming
        pending.rows = Array(pending.rows.prefix(Self.overviewPendingRows))
        var pendingHTML = TableHTML.render(pending, extraColumn: Self.countdownColumn(pending, now: now))
        let place = [("account", scope.account), ("region", scope.region)].compactMap { k, v in v.map { (k, $0) } }
        let more = split.upcoming.rows.count - pending.rows.count
        if more > 0 { pendingHTML += "<p><a href=\"\(HTMLEscape.link("/pending", place + [("page", "2")]))\">\(more) more</a></p>" }
        // Then the most recent ones whose date has passed (gone unless restored since).
        var passed = split.passed
        passed.rows = Array(passed.rows.prefix(Self.overviewPassedRows))
        if !passed.rows.isEmpty {
            pendingHTML += "<h3>Deletion date passed, most recent first</h3>" + TableHTML.render(passed, extraColumn: Self.countdownColumn(passed, now: now))
        }
        pendingHTML += "<p><a href=\"\(HTMLEscape.link("/pending", place + [("status", "passed")]))\">all \(split.passed.rows.count) whose date has passed</a></p>"

        let status = try service.status(limit: 20)
        let summary = PageLayout.facts([
            ("files", "\(status.filesDone) done, \(status.filesSkipped) skipped, \(status.filesFailed) failed"),
            ("records", "\(status.records) read, \(status.skippedRecords) skipped, \(status.invalidRecords) invalid"),
            ("events", "\(status.events) secret-related events ingested (prune does not lower this)"),
            ("alerts", "\(status.alerts)"),
        ])
        var body = PageLayout.section("Alerts by severity per day", chartHTML + "<p><a href=\"/alerts\">all alerts</a></p>", id: "alerts-chart")
        body += PageLayout.section("Secrets pending deletion", pendingHTML, id: "pending")
        body += PageLayout.section("Ingestion", summary + TableHTML.render(status.places), id: "ingestion")
        body += PageLayout.section("Failed files", TableHTML.render(status.failed), id: "failed")
        return PageLayout.page(title: "Overview", body: body)
    }
}
