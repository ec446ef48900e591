import ArgumentParser

/// `trailwatch-bench`: performance figures for TrailWatch, printed to standard output.
@main
struct TrailwatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trailwatch-bench",
        abstract: "Measure TrailWatch's throughput and query latency (build with -c release).",
        subcommands: [StoreBenchmark.self, DecodeBenchmark.self]
    )
}
