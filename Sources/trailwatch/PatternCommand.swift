import ArgumentParser

/// `trailwatch pattern` (placeholder until implemented).
struct PatternCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pattern", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'pattern' is not implemented yet")
    }
}
