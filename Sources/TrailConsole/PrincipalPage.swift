import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    /// Days the principal's chart covers when the query string leaves its start open (a busy
    /// role makes hundreds of thousands of calls a month).
    static let principalChartDays = 14
    static let principalParameters: Set<String> = ["name", "since", "until", "account", "region", "limit"]

    /// `/principal?name=`: the secrets it touched per day and in all, its errors and its alerts.
    func principalPage(_ q: ConsoleRequest) throws -> String {
        let name = try q.required("name")
        let service = service()
        let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: 1000)
        guard let calls = try service.dailyAccess(scope, principal: name, days: Self.principalChartDays) else {
            throw ConsoleError(.notFound, subject: "principal \(name.prefix(120))", message: "no principal in the store matches")
        }
        let chart = StackedBarChart().render(calls.counts, first: Self.day(calls.lower),
                                              last: Self.day(EventTime(milliseconds: calls.upper.milliseconds - 1)), label: "calls")
        let secrets = try service.secrets(scope, principal: name)
        var small = scope
        small.limit = min(scope.limit, 100)
        // Its newest errors: bounded below by the time of the limit-th newest one, found through the
        // index of failed calls, so a busy principal's calls are not all scanned.
        var errors = ResultTable(columns: [])
        if let horizon = try service.errorHorizon(principal: name, scope: small, count: small.limit) {
            small.since = max(small.since ?? horizon, horizon)
            errors = try service.access(small, AccessFilter(principal: name, errors: true))
        }
        var alertScope = scope
        alertScope.limit = ConsoleRequest.pageSize
        let alerts = try service.alertPage(alertScope, AlertFilter(principal: name))
        var body = PageLayout.section("Secrets touched per day", chart, id: "calls")
        body += PageLayout.section("Secrets", TableHTML.render(secrets), id: "secrets")
        body += PageLayout.section("Errors", TableHTML.render(errors), id: "errors")
        body += PageLayout.section("Alerts", TableHTML.render(alerts.table)
            + "<p><a href=\"\(HTMLEscape.link("/alerts", [("principal", name)]))\">all alerts of this principal</a></p>", id: "alerts")
        return PageLayout.page(title: "Principal " + name, body: body)
    }
}
