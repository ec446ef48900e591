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
    }

    public var reason: Reason
    /// Offset of the offending byte in the parsed input.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd: what = "unexpected end of input"
        case let .unexpectedByte(byte, expected):
            let shown = (0x20..<0x7f).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            what = "unexpected \(shown), expected \(expected)"
        case .invalidNumber: what = "invalid number"
        case .invalidEscape: what = "invalid escape in string"
        case .controlCharacterInString: what = "unescaped control character in string"
        case let .tooDeep(limit): what = "nesting deeper than \(limit) levels"
        case .trailingContent: what = "unexpected content after the JSON value"
        case .tooLarge: what = "input larger than 4 GiB"
        }
        return "invalid JSON at byte \(offset): \(what)"
    }
}
