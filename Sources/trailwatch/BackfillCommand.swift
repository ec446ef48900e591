import ArgumentParser

/// `trailwatch backfill` (placeholder until implemented).
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backfill", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'backfill' is not implemented yet")
    }
}
