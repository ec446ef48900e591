import ArgumentParser

/// Errors the CLI turns into an exit status: usage problems exit 2, partial failures exit 1.
enum CLIError: Error, CustomStringConvertible {
    /// Bad arguments, an unusable rules directory or database: exit 2.
    case usage(String)
    /// Some inputs failed while the rest succeeded: exit 1 (already reported).
    case partialFailure

    var description: String {
        switch self {
        case let .usage(message): message
        case .partialFailure: "some files failed"
        }
    }
}
