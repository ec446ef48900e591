import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    /// Days a chart covers when the query string leaves its start open.
    static let chartDays = 30
    static let secretParameters: Set<String> = ["name", "since", "until", "account", "region", "limit"]

    /// `/secret?name=`: the story `query secret` tells, reads per day stacked by principal, callers,
    /// errors, deletion, policy and key events, and alerts.
    func secretPage(_ q: ConsoleRequest) throws -> String {
        let name = try q.required("name")
        let service = service()
        let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: 1000)
        guard let story = try service.secretStory(scope, secret: name) else {
            throw ConsoleError(.notFound, subject: "secret \(name.prefix(120))", message: "no secret in the store matches")
        }
        let reads = try service.dailyReads(scope, secret: name, days: Self.chartDays)
        let chart = reads.map {
            StackedBarChart().render($0.counts, first: Self.day($0.lower), last: Self.day(EventTime(milliseconds: $0.upper.milliseconds - 1)), label: "reads")
        } ?? ""
        let t = TimeRendering.utc
        var facts: [(String, String)] = [("secret", story.name), ("arn", story.arns.first ?? "-")]
        for other in story.arns.dropFirst() { facts.append(("also seen as", other)) }
        facts += [("account", story.account), ("region", story.region),
                  ("first seen", story.firstSeen.map(t.render) ?? "-"), ("last seen", story.lastSeen.map(t.render) ?? "-"),
                  ("created", story.created.map { "\(t.render($0.time)) by \($0.principal)" } ?? "not in the history"),
                  ("deletion", deletionText(story, now: service.now)),
                  ("kms keys", story.keys.isEmpty ? "-" : story.keys.joined(separator: ", ")),
                  ("callers", String(story.callerCount)), ("alerts", String(story.alertCount))]
        var errorScope = scope
        errorScope.limit = min(scope.limit, 100)
        let errors = try service.access(errorScope, AccessFilter(secret: name, errors: true))
        var body = PageLayout.facts(facts)
        body += PageLayout.section("Reads per day by principal", chart, id: "reads")
        body += PageLayout.section("Deletion, policy, key and other changes", TableHTML.render(story.events), id: "events")
        body += PageLayout.section("Callers", TableHTML.render(story.callers), id: "callers")
        body += PageLayout.section("Errors", TableHTML.render(errors), id: "errors")
        body += PageLayout.section("Alerts", TableHTML.render(story.alerts), id: "alerts")
        body += "<p><a href=\"\(HTMLEscape.link("/api/query/secret", [("name", name)]))\">JSON</a></p>"
        return PageLayout.page(title: "Secret " + story.name, body: body)
    }

    private func deletionText(_ story: SecretStory, now: EventTime) -> String {
        guard let d = story.deletion else { return "never scheduled" }
        let t = TimeRendering.utc
        var text = "scheduled \(t.render(d.scheduled)) by \(d.principal), "
        text += d.force ? "forced (no recovery window)" : "recovery window \(d.recoveryWindowInDays ?? 30) days"
        if let restored = d.restored { return text + ", restored \(t.render(restored))" }
        return text + ", gone \(t.render(d.deletionDate)) (\(EventTimeText.countdown(to: d.deletionDate, now: now)))"
    }
}
