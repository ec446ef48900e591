import ArgumentParser

/// `trailwatch alerts` (placeholder until implemented).
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alerts", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'alerts' is not implemented yet")
    }
}
