/// Just enough XML for AWS's query and REST responses: the content of named elements, found by
/// scanning bytes (no DTDs, no namespaces beyond ignoring attributes), with the five predefined
/// entities and numeric character references decoded. Malformed input yields nil or fewer
/// elements, never a crash.
struct XMLScan {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var all: Range<Int> { 0..<bytes.count }

    /// The content ranges of each `<name …>…</name>` (or empty `<name/>`) inside `range`, in order;
    /// elements of the same name are not expected to nest.
    func elements(_ name: String, in range: Range<Int>) -> [Range<Int>] {
        let open = Array(("<" + name).utf8)
        let close = Array(("</" + name + ">").utf8)
        var found: [Range<Int>] = []
        var i = range.lowerBound
        while let start = find(open, from: i, before: range.upperBound) {
            let after = start + open.count
            guard after < range.upperBound else { break }
            let next = bytes[after]
            guard next == UInt8(ascii: ">") || next == UInt8(ascii: " ") || next == UInt8(ascii: "/") || next == UInt8(ascii: "\t")
                || next == UInt8(ascii: "\n") || next == UInt8(ascii: "\r") else {
                i = after
                continue
            }
            guard let tagEnd = find([UInt8(ascii: ">")], from: after, before: range.upperBound) else { break }
            if bytes[tagEnd - 1] == UInt8(ascii: "/") {
                found.append(tagEnd + 1..<tagEnd + 1)
                i = tagEnd + 1
                continue
            }
            guard let end = find(close, from: tagEnd + 1, before: range.upperBound) else { break }
            found.append(tagEnd + 1..<end)
            i = end + close.count
        }
        return found
    }

    /// The decoded text of the first `<name>` inside `range`.
    func text(_ name: String, in range: Range<Int>) -> String? {
        elements(name, in: range).first.map { decode($0) }
    }

    /// The decoded text of every `<name>` inside `range`.
    func texts(_ name: String, in range: Range<Int>) -> [String] {
        elements(name, in: range).map { decode($0) }
    }

    /// Entity-decodes the bytes in `range` (CDATA sections are taken as they are).
    func decode(_ range: Range<Int>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        let cdataOpen = Array("<![CDATA[".utf8), cdataClose = Array("]]>".utf8)
        while i < range.upperBound {
            let byte = bytes[i]
            if byte == UInt8(ascii: "<"), matches(cdataOpen, at: i, before: range.upperBound),
               let end = find(cdataClose, from: i + cdataOpen.count, before: range.upperBound) {
                out += bytes[(i + cdataOpen.count)..<end]
                i = end + cdataClose.count
                continue
            }
            guard byte == UInt8(ascii: "&"), let semi = find([UInt8(ascii: ";")], from: i + 1, before: min(range.upperBound, i + 12)) else {
                out.append(byte)
                i += 1
                continue
            }
            let entity = String(decoding: bytes[(i + 1)..<semi], as: UTF8.self)
            var scalar: Unicode.Scalar?
            switch entity {
            case "amp": scalar = "&"
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                }
            }
            if let scalar {
                out += Array(String(Character(scalar)).utf8)
                i = semi + 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func matches(_ needle: [UInt8], at index: Int, before limit: Int) -> Bool {
        guard index + needle.count <= limit else { return false }
        for k in 0..<needle.count where bytes[index + k] != needle[k] { return false }
        return true
    }

    private func find(_ needle: [UInt8], from start: Int, before limit: Int) -> Int? {
        guard !needle.isEmpty, start >= 0 else { return nil }
        var i = start
        while i + needle.count <= limit {
            if bytes[i] == needle[0] && matches(needle, at: i, before: limit) { return i }
            i += 1
        }
        return nil
    }
}
