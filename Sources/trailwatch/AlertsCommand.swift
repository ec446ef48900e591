import ArgumentParser
import TrailModel
import TrailStore

/// `trailwatch alerts`: the stored alerts, newest first.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List stored alerts, newest first.",
        discussion: "json prints each alert's JSON line as emitted, with its count raised by suppressed repeats.")

    @OptionGroup var options: QueryOptions

    @Option(help: "Only this rule.")
    var rule: String?

    @Option(help: "Only this severity or higher: info, low, medium, high, critical.")
    var severity: String?

    func validate() throws {
        if let severity, Severity(rawValue: severity) == nil {
            throw ValidationError("--severity \"\(severity)\" is not one of info, low, medium, high, critical")
        }
    }

    func run() async throws {
        try runReadCommand {
            let now = options.now
            let list = try QueryService(store: try options.openStore(), now: now)
                .alerts(options.scope(now: now), rule: rule, minimumSeverity: severity.flatMap(Severity.init(rawValue:)))
            return list.render(options.formatter)
        }
    }
}
