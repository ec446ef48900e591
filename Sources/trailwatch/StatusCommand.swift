import ArgumentParser

/// `trailwatch status` (placeholder until implemented).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'status' is not implemented yet")
    }
}
