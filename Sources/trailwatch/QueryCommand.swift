import ArgumentParser

/// `trailwatch query` (placeholder until implemented).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'query' is not implemented yet")
    }
}
