/// Paths as the kernel sees them: bytes, which need not be UTF-8. Directory walks keep names as
/// bytes so that no file is lost to a name that is not text; reports show such names escaped.
public enum PathBytes {
    /// True when `bytes` are valid UTF-8.
    public static func isUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// The path as text: valid UTF-8 unchanged; otherwise every byte that is not part of valid
    /// UTF-8 becomes `\xHH` and every backslash `\\`, so that distinct non-UTF-8 names stay
    /// distinct. (A UTF-8 name spelled with a literal `\xHH` can still equal an escaped one;
    /// the ledger then holds one row for both and the fingerprint check re-reads either file,
    /// which wastes a read but loses and doubles nothing.)
    public static func display(_ bytes: [UInt8]) -> String {
        if isUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let length = validSequenceLength(bytes, at: i)
            if length == 0 {
                out += "\\x" + hex(bytes[i])
                i += 1
            } else if bytes[i] == UInt8(ascii: "\\") {
                out += "\\\\"
                i += 1
            } else {
                out += String(decoding: bytes[i..<(i + length)], as: UTF8.self)
                i += length
            }
        }
        return out
    }

    /// `directory/name` as bytes, without doubling a trailing slash.
    static func join(_ directory: [UInt8], _ name: [UInt8]) -> [UInt8] {
        var path = directory
        if path.last != UInt8(ascii: "/") { path.append(UInt8(ascii: "/")) }
        path.append(contentsOf: name)
        return path
    }

    /// Runs `body` with the path as a NUL-terminated C string.
    static func withCString<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 0xF)]], as: UTF8.self)
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or 0 when none starts there.
    private static func validSequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b = bytes[i]
        let length: Int
        switch b {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        return isUTF8(bytes[i..<(i + length)]) ? length : 0
    }
}
