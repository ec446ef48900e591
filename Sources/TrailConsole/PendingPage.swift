import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    static let pendingParameters: Set<String> = ["account", "region", "status", "page"]
    /// Rows of upcoming deletions the overview shows before linking to `/pending`.
    static let overviewPendingRows = 50
    /// Rows of passed deletions the overview shows, after the upcoming ones.
    static let overviewPassedRows = 10

    /// Scheduled deletions not restored, split: `upcoming` (deletion date after now, soonest first)
    /// and `passed` (most recent first).
    func deletions(_ service: QueryService, account: String?, region: String?) throws -> (upcoming: ResultTable, passed: ResultTable) {
        // limit 0: all (the store computes every secret's deletion state anyway).
        let all = try service.pendingDeletions(QueryScope(account: account, region: region, limit: 0))
        var upcoming = all, passed = all
        let status = all.columns.firstIndex { $0.key == "status" }
        upcoming.rows = all.rows.filter { row in status.map { row[$0] != .text("passed") } ?? true }
        passed.rows = all.rows.filter { row in status.map { row[$0] == .text("passed") } ?? false }.reversed()
        return (upcoming, passed)
    }

    /// A countdown column for a deletions table.
    static func countdownColumn(_ table: ResultTable, now: EventTime) -> (title: String, value: ([Cell]) -> String) {
        let dateIndex = table.columns.firstIndex { $0.key == "deletionDate" }
        return ("countdown", { row in
            guard let i = dateIndex, case .time(let t) = row[i] else { return "-" }
            return EventTimeText.countdown(to: t, now: now)
        })
    }

    /// `/pending`: every scheduled deletion, `status=upcoming` (default, soonest first) or
    /// `status=passed` (most recent first), `pageSize` a page.
    func pendingPage(_ q: ConsoleRequest) throws -> String {
        let service = service()
        let passed = q["status"] == "passed"
        guard q["status"] == nil || passed || q["status"] == "upcoming" else {
            throw ConsoleError(.badParameter, subject: "parameter status", message: "is upcoming or passed")
        }
        let page = try q.page()
        let split = try deletions(service, account: q["account"], region: q["region"])
        var table = passed ? split.passed : split.upcoming
        let total = table.rows.count
        table.rows = Array(table.rows.dropFirst((page - 1) * ConsoleRequest.pageSize).prefix(ConsoleRequest.pageSize))
        let kept = q.keeping(dropping: ["page", "status"])
        var pager = "<p class=\"pager\">\(total) in all, page \(page)"
        let status = [("status", passed ? "passed" : "upcoming")]
        if page > 1 { pager += " <a rel=\"prev\" href=\"\(HTMLEscape.link("/pending", kept + status + [("page", String(page - 1))]))\">previous</a>" }
        if page * ConsoleRequest.pageSize < total {
            pager += " <a rel=\"next\" href=\"\(HTMLEscape.link("/pending", kept + status + [("page", String(page + 1))]))\">next</a>"
        }
        let other = passed ? ("upcoming", "\(split.upcoming.rows.count) upcoming") : ("passed", "\(split.passed.rows.count) whose date has passed")
        pager += " · <a href=\"\(HTMLEscape.link("/pending", kept + [("status", other.0)]))\">\(HTMLEscape.text(other.1))</a></p>"
        let title = passed ? "Deletions whose date has passed" : "Secrets pending deletion"
        return PageLayout.page(title: title, body: TableHTML.render(table, extraColumn: Self.countdownColumn(table, now: service.now)) + pager)
    }
}
