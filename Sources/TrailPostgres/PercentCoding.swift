/// Percent-encoding for the parts of a `postgres://` URL (RFC 3986), on UTF-8 bytes.
enum PercentCoding {
    /// Why a percent-encoded text could not be decoded.
    enum Failure: Error {
        /// `%` not followed by two hexadecimal digits.
        case badEscape
        /// The decoded bytes are not UTF-8.
        case notUTF8
        /// The decoded text holds a NUL byte, which the wire protocol cannot carry.
        case nul
    }

    /// Decodes `%XX` escapes; `+` stays `+`, as in libpq.
    static func decode(_ text: Substring) throws(Failure) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .badEscape
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard !bytes.contains(0) else { throw .nul }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return decoded
    }

    /// Encodes every byte except RFC 3986's unreserved characters (and those in `keeping`), so
    /// the result is printable ASCII whatever the input held.
    static func encode(_ text: String, keeping: String = "") -> String {
        let kept = Set(keeping.utf8)
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || kept.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
