import ArgumentParser
import TrailIngest

/// The `trailwatch` command: CloudTrail audit logs in, Secrets Manager alerts and an access history out.
@main
struct TrailWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trailwatch",
        abstract: "Guard AWS Secrets Manager from CloudTrail logs: match EventBridge patterns, raise alerts, keep an access history.",
        discussion: """
        Typical use:
          trailwatch backfill AWSLogs/            read an archive, print alerts as JSON lines
          trailwatch tail /var/log/cloudtrail     watch a synced bucket and alert as files land
          trailwatch query callers --secret prod/db/password
          trailwatch alerts --since 7d
        """,
        // The inflater is chosen at run time (libdeflate when it loads, else zlib).
        version: "trailwatch\ninflate: \(InflateBackend.description)",
        subcommands: [
            BackfillCommand.self,
            TailCommand.self,
            QueryCommand.self,
            AlertsCommand.self,
            StatusCommand.self,
            PruneCommand.self,
            ServeCommand.self,
            VerifyCommand.self,
            PatternCommand.self,
        ]
    )
}
