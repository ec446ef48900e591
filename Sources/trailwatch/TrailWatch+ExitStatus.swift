import ArgumentParser
import Foundation

extension TrailWatch {
    /// Runs the command line. Usage errors (unknown options, bad values, failed validation, an
    /// unusable rules directory or database) exit with status 2 and their message, instead of
    /// ArgumentParser's 64; partial failures (some files failed) exit 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            switch error {
            case let .usage(message):
                StandardError.error(message)
                Foundation.exit(2)
            case .partialFailure:
                Foundation.exit(1)
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.line(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
