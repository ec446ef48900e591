import TrailDetect
import TrailStore

/// Why a file could not be ingested, or why the pipeline could not start.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The rules could not be loaded or compiled.
        case rules
        /// The store could not be opened or written.
        case store
        /// A file could not be read, decompressed or decoded.
        case file
        /// An option given to the pipeline is not usable (`--shard`, `--worker-id`).
        case usage
    }

    public var code: Code
    public var message: String
    /// The store's own error, when that is what stopped the pipeline: its kind (`.locked`,
    /// `.damaged`, `.claimLost`, …), path and operation, kept whole for callers that act on them.
    public var storeError: StoreError?
    /// The rule loader's error, when a rule could not be loaded: its file, rule and JSON path.
    public var ruleError: RuleError?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Wraps what a stage threw: its description is the message, and a store or rule error is
    /// kept as it is.
    public init(_ code: Code, wrapping error: any Error) {
        self.init(code, "\(error)")
        storeError = error as? StoreError
        ruleError = error as? RuleError
    }

    public var description: String { message }
}
