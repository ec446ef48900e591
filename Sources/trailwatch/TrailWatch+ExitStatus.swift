import ArgumentParser
import Foundation

extension TrailWatch {
    /// Runs the command line; usage errors (unknown options, bad values, failed validation) exit
    /// with status 2 and their message, as the documentation promises, instead of
    /// ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
