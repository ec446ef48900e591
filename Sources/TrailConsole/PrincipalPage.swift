import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    static let principalParameters: Set<String> = ["name", "since", "until", "account", "region", "limit"]

    /// `/principal?name=`: the secrets it touched per day and in all, its errors and its alerts.
    func principalPage(_ q: ConsoleRequest) throws -> String {
        let name = try q.required("name")
        let service = service()
        let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: 1000)
        guard let (_, newest) = try service.dailyAccess(QueryScope(account: scope.account, region: scope.region, limit: 1), principal: name) else {
            throw ConsoleError(.notFound, subject: "principal \(name.prefix(120))", message: "no principal in the store matches")
        }
        var chartScope = scope
        let end = scope.until ?? EventTime(milliseconds: (newest ?? service.now).milliseconds + 1)
        chartScope.until = end
        if chartScope.since == nil { chartScope.since = EventTime(milliseconds: end.milliseconds - 90 * 86_400_000) }
        let counts = try service.dailyAccess(chartScope, principal: name)?.counts ?? []
        let chart = StackedBarChart().render(counts, first: Self.day(chartScope.since!),
                                              last: Self.day(EventTime(milliseconds: end.milliseconds - 1)), label: "calls")
        let secrets = try service.secrets(scope, principal: name)
        var small = scope
        small.limit = min(scope.limit, 100)
        let errors = try service.access(small, AccessFilter(principal: name, errors: true))
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
