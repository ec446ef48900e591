import Synchronization
import TrailSync

/// The store's shared SQL writes parameters `?`; PostgreSQL numbers them `$1`, `$2`, ….
enum PlaceholderTranslation {
    /// Translations already made, per SQL text (the store runs a few hundred distinct statements).
    private static let cache = Mutex<[String: String]>([:])
    private static let cacheLimit = 4096

    /// `sql` with each `?` outside string literals (`'…'`, `E'…'`), quoted identifiers (`"…"`) and
    /// comments (`-- …`, `/* … */`) replaced by `$1`, `$2`, … in order; cached per SQL text.
    static func translate(_ sql: String) -> String {
        if let cached = cache.locked({ $0[sql] }) { return cached }
        let translated = translateUncached(sql)
        cache.locked { cache in
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[sql] = translated
        }
        return translated
    }

    static func translateUncached(_ sql: String) -> String {
        enum Mode { case code, single, escaped, double, line, block }
        var mode = Mode.code
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var previous: UInt8 = 0
        var skipNext = false
        let bytes = Array(sql.utf8)
        for (index, byte) in bytes.enumerated() {
            let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 0
            if skipNext {
                skipNext = false
                output.append(byte)
                previous = 0
                continue
            }
            switch mode {
            case .code:
                switch byte {
                case UInt8(ascii: "?"):
                    number += 1
                    output.append(contentsOf: Array("$\(number)".utf8))
                    previous = byte
                    continue
                case UInt8(ascii: "'"):
                    mode = (previous == UInt8(ascii: "E") || previous == UInt8(ascii: "e")) ? .escaped : .single
                case UInt8(ascii: "\""): mode = .double
                case UInt8(ascii: "-") where next == UInt8(ascii: "-"): mode = .line
                case UInt8(ascii: "/") where next == UInt8(ascii: "*"): mode = .block; skipNext = true
                default: break
                }
            case .single:
                if byte == UInt8(ascii: "'") { mode = .code }
            case .escaped:
                if byte == UInt8(ascii: "\\") { skipNext = true } else if byte == UInt8(ascii: "'") { mode = .code }
            case .double:
                if byte == UInt8(ascii: "\"") { mode = .code }
            case .line:
                if byte == UInt8(ascii: "\n") { mode = .code }
            case .block:
                if byte == UInt8(ascii: "*"), next == UInt8(ascii: "/") { mode = .code; skipNext = true }
            }
            output.append(byte)
            previous = byte
        }
        return String(decoding: output, as: UTF8.self)
    }
}
