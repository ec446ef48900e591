import ArgumentParser

/// `trailwatch tail` (placeholder until implemented).
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tail", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'tail' is not implemented yet")
    }
}
