import ArgumentParser

/// `trailwatch pattern`: test and benchmark EventBridge event patterns.
struct PatternCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pattern",
        abstract: "Test EventBridge event patterns against events, or benchmark a rule set.",
        discussion: """
        Patterns use the EventBridge event-pattern language: exact values, prefix, suffix, \
        equals-ignore-case, wildcard, anything-but, numeric, exists, cidr and $or, with \
        EventBridge's array semantics.

        Examples:
          trailwatch pattern test --pattern rule.json --event event.json
          trailwatch pattern test --jsonl < cases.jsonl
          trailwatch pattern bench --patterns rules.jsonl --events events.jsonl
        """,
        subcommands: [PatternTestCommand.self, PatternBenchCommand.self]
    )
}
