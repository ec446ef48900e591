/// A JSON syntax error, with the byte offset where it was found.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case unexpectedEnd
        case unexpectedByte(UInt8, expected: String)
        case invalidNumber
        case invalidEscape
        case controlCharacterInString
        case tooDeep(limit: Int)
        case trailingContent
        case tooLarge
        /// The input holds more values than the caller's limit (`JSONDocument`'s `maxNodes`).
        case tooManyValues(limit: Int)
    }

    public var reason: Reason
    /// Offset of the offending byte in the parsed input.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "invalid JSON at byte \(offset): \(reasonText)" }

    /// What is wrong, without the offset: `unexpected ',', expected a JSON value`.
    public var reasonText: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of input"
        case let .unexpectedByte(byte, expected):
            let shown = (0x20..<0x7f).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return "unexpected \(shown), expected \(expected)"
        case .invalidNumber: return "invalid number"
        case .invalidEscape: return "invalid escape in string"
        case .controlCharacterInString: return "unescaped control character in string"
        case let .tooDeep(limit): return "nesting deeper than \(limit) levels"
        case .trailingContent: return "unexpected content after the JSON value"
        case .tooLarge: return "input larger than 4 GiB"
        case let .tooManyValues(limit): return "more than \(limit) JSON values (keys included) for this input's size"
        }
    }
}
