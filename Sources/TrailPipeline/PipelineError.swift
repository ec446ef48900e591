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

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
