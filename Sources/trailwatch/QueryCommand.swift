import ArgumentParser
import TrailPresentation
import TrailStore

/// `trailwatch query`: the access history, from the SQLite store.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query the access history: who read a secret, what a principal touched, and when.",
        discussion: "Secrets may be given as a full ARN, a partial ARN or a name (with or without the random suffix); principals as a role ARN, an assumed-role session ARN (its role), a user ARN, role/NAME, user/NAME, or a role or user name. A name that matches several secrets or principals is listed, not guessed: narrow it with an ARN, --account or --region (exit 2). An empty result prints \"no rows\" in table format and nothing in json/csv (exit 0).",
        subcommands: [
            QueryAccessCommand.self,
            QueryCallersCommand.self,
            QuerySecretsCommand.self,
            QuerySecretCommand.self,
            QueryPendingDeletionsCommand.self,
            QueryUnusedCommand.self,
        ]
    )
}

/// `trailwatch query access`
struct QueryAccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Access rows, newest first: time, principal, session, event, secret, source IP, user agent, error, eventID.")

    @OptionGroup var options: QueryOptions

    @Option(help: "Only this secret (ARN, partial ARN or name).")
    var secret: String?

    @Option(help: "Only this principal (role/user ARN, session ARN, role/NAME, user/NAME or name).")
    var principal: String?

    @Option(name: .customLong("event"), help: "Only this event name (repeatable).")
    var events: [String] = []

    @Flag(inversion: .prefixedNo, help: "Only failed calls (--errors) or only successful ones (--no-errors).")
    var errors: Bool?

    @Option(name: .customLong("source-ip"), help: "Only calls from this address or CIDR block (IPv4 or IPv6).")
    var sourceIP: String?

    func run() async throws {
        try options.runTableQuery { service, scope in
            try service.access(scope, AccessFilter(
                secret: secret, principal: principal, eventNames: events, errors: errors, sourceCIDR: sourceIP))
        }
    }
}

/// `trailwatch query callers --secret S`
struct QueryCallersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callers",
        abstract: "Every principal that touched a secret: first seen, last seen, count, errors, event names; most recent first.")

    @OptionGroup var options: QueryOptions

    @Option(help: "The secret (ARN, partial ARN or name).")
    var secret: String

    func run() async throws {
        try options.runTableQuery { service, scope in try service.callers(scope, secret: secret) }
    }
}

/// `trailwatch query secrets --principal P`
struct QuerySecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Every secret a principal touched: first seen, last seen, count, errors, event names; most recent first.")

    @OptionGroup var options: QueryOptions

    @Option(help: "The principal (role/user ARN, session ARN, role/NAME, user/NAME or name).")
    var principal: String

    func run() async throws {
        try options.runTableQuery { service, scope in try service.secrets(scope, principal: principal) }
    }
}

/// `trailwatch query secret S`
struct QuerySecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "One secret's story: ARNs, account and region, creation, deletion, policy and key changes, rotation, callers, alerts.",
        discussion: "json prints one object; csv prints the events that changed the secret. --limit applies to each list.")

    @OptionGroup var options: QueryOptions

    @Argument(help: "The secret (ARN, partial ARN or name).")
    var secret: String

    func run() async throws {
        try runReadCommand {
            let now = options.now
            guard let story = try QueryService(store: try options.openStore(), now: now).secretStory(options.scope(now: now), secret: secret) else {
                printNotes(["no secret in the store matches \"\(secret)\""])
                return options.format == .table ? "no rows\n" : ""
            }
            return story.render(options.formatter)
        }
    }
}

/// `trailwatch query pending-deletions`
struct QueryPendingDeletionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending-deletions",
        abstract: "Secrets scheduled for deletion and not restored, with the date they will be gone, soonest first.",
        discussion: "--since/--until select when the deletion was scheduled; status is pending while the date is ahead, passed after.")

    @OptionGroup var options: QueryOptions

    func run() async throws {
        try options.runTableQuery { service, scope in try service.pendingDeletions(scope) }
    }
}

/// `trailwatch query unused --days N`
struct QueryUnusedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unused",
        abstract: "Secrets seen in the history but not read (GetSecretValue/BatchGetSecretValue) for N days (Security Hub SecretsManager.3).",
        discussion: "Measured back from --until (default now); --since keeps secrets seen since then. Secrets pending deletion are left out.")

    @OptionGroup var options: QueryOptions

    @Option(help: "Days without a successful read (0 to 36500).")
    var days: Int

    func validate() throws {
        try OptionRange.check("--days", days, OptionRange.days)
    }

    func run() async throws {
        try options.runTableQuery { service, scope in try service.unused(scope, days: days) }
    }
}
