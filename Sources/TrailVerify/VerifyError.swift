/// Why `trailwatch verify` could not use an input: the file, and what is wrong with it.
///
/// Problems with the trail itself (a missing log, a bad signature) are ``Finding``s, not
/// errors; a `VerifyError` is raised for inputs that cannot be read or understood at all.
public struct VerifyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The file could not be opened or read.
        case unreadable
        /// The gzip stream is damaged or ends early.
        case corruptGzip
        /// The content is not valid JSON.
        case invalidJSON
        /// Valid JSON without the expected shape (a field missing or of the wrong type).
        case badShape
        /// A public key that cannot be decoded or used.
        case badKey
    }

    /// The file concerned.
    public var path: String
    /// What went wrong.
    public var code: Code
    /// Where in the file (byte offset in the decompressed content), when known.
    public var byteOffset: Int?
    /// The JSON path of the offending value (`logFiles[3].hashValue`), when known.
    public var jsonPath: String?
    /// What is wrong, for people.
    public var reason: String

    public init(path: String, code: Code, byteOffset: Int? = nil, jsonPath: String? = nil, reason: String) {
        self.path = path
        self.code = code
        self.byteOffset = byteOffset
        self.jsonPath = jsonPath
        self.reason = reason
    }

    public var description: String {
        var text = path
        if let byteOffset { text += ": byte \(byteOffset)" }
        if let jsonPath { text += ": \(jsonPath)" }
        return text + ": " + reason
    }
}
