/// Builds compact JSON text, with keys in the order they are written.
///
/// Used for alerts, query output and anything else TrailWatch prints as JSON, so output never
/// depends on dictionary ordering.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private var afterKey = false

    public init() {}

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separator() {
        if afterKey { afterKey = false; return }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// Writes an object key; the next value (or container) written belongs to it.
    public mutating func key(_ name: String) {
        separator()
        JSONWriter.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) { separator(); JSONWriter.appendQuoted(value, to: &bytes) }
    public mutating func integer(_ value: Int64) { separator(); bytes.append(contentsOf: String(value).utf8) }
    public mutating func integer(_ value: Int) { integer(Int64(value)) }
    public mutating func double(_ value: Double) {
        separator()
        bytes.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
    }
    public mutating func bool(_ value: Bool) { separator(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func null() { separator(); bytes.append(contentsOf: "null".utf8) }
    /// A string, or `null` when nil.
    public mutating func optionalString(_ value: String?) { if let value { string(value) } else { null() } }
    /// Already-valid JSON text, inserted verbatim (for example a record's raw bytes).
    public mutating func raw<C: Collection>(_ json: C) where C.Element == UInt8 { separator(); bytes.append(contentsOf: json) }

    /// Appends `value` as a quoted, escaped JSON string.
    public static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        var text = value
        text.withUTF8 { appendQuoted(utf8: $0, to: &out) }
    }

    /// Appends UTF-8 bytes as a quoted, escaped JSON string; plain runs are copied in bulk.
    public static func appendQuoted(utf8 buffer: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(utf8: buffer, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 bytes escaped for the inside of a JSON string (no quotes).
    public static func appendEscaped(utf8 buffer: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for i in 0..<buffer.count {
            let b = buffer[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<i])) }
            runStart = i + 1
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 0xF)]])
            }
        }
        if runStart < buffer.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<buffer.count])) }
    }

    /// `value` as a quoted JSON string.
    public static func quoted(_ value: String) -> String {
        var out: [UInt8] = []
        appendQuoted(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
