/// A file that cannot be decoded at all: invalid JSON outside any single record, or input that
/// ends early.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file path, as given to the decoder.
    public var path: String
    /// Offset of the offending byte in the (decompressed) content.
    public var byteOffset: Int
    /// What is wrong, e.g. `invalid JSON: unexpected end of input`.
    public var reason: String
    /// The input ended in the middle of a value: typically a file still being written.
    public var isIncomplete: Bool

    public init(path: String, byteOffset: Int, reason: String, isIncomplete: Bool = false) {
        self.path = path
        self.byteOffset = byteOffset
        self.reason = reason
        self.isIncomplete = isIncomplete
    }

    /// `path: byte N: reason`.
    public var description: String { "\(path): byte \(byteOffset): \(reason)" }
}
