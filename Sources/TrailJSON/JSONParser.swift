/// A byte-level JSON parser that builds a flat tape of ``JSONNode``s.
///
/// Strings are not decoded while parsing: a node records the raw byte range and whether it holds
/// escapes, and values decode lazily on access. Numbers keep their raw text. The parser accepts
/// exactly RFC 8259 JSON (no comments, no trailing commas, no NaN) and reports the byte offset of
/// the first error.
struct JSONParser: ~Copyable {
    private let base: UnsafePointer<UInt8>
    private let length: Int
    private let maxDepth: Int
    private var position: Int = 0
    private var depth: Int = 0
    /// Where nodes go, and its capacity; when it is full, parsing stops with `tapeFull` set.
    private let tape: UnsafeMutablePointer<JSONNode>
    private let tapeCapacity: Int
    private(set) var nodeCount = 0
    private(set) var tapeFull = false

    init(_ buffer: UnsafeBufferPointer<UInt8>, tape: UnsafeMutablePointer<JSONNode>, capacity: Int, maxDepth: Int) {
        // Callers never pass an empty buffer (JSONDocument rejects it first).
        self.base = buffer.baseAddress!
        self.length = buffer.count
        self.maxDepth = maxDepth
        self.tape = tape
        self.tapeCapacity = capacity
    }

    /// The most nodes `count` bytes of input can need: every value takes at least one byte and
    /// all but the first a separator, so `(count + 1) / 2` nodes always fit.
    static func maximumNodes(forBytes count: Int) -> Int { (count + 1) / 2 + 1 }

    @inline(__always) private mutating func append(_ node: JSONNode) throws(JSONError) {
        guard nodeCount < tapeCapacity else {
            tapeFull = true
            throw JSONError(.tooLarge, at: position)
        }
        (tape + nodeCount).initialize(to: node)
        nodeCount += 1
    }

    /// Parses whitespace-separated values until the end; returns the node index of each root.
    mutating func parseRoots(allowMultiple: Bool) throws(JSONError) -> [Int] {
        guard length <= Int(UInt32.max) - 1 else { throw JSONError(.tooLarge, at: 0) }
        var roots: [Int] = []
        skipWhitespace()
        if position >= length { throw JSONError(.unexpectedEnd, at: position) }
        while position < length {
            roots.append(nodeCount)
            try parseValue()
            skipWhitespace()
            if !allowMultiple, position < length { throw JSONError(.trailingContent, at: position) }
        }
        return roots
    }

    @inline(__always) private func byte(_ i: Int) -> UInt8 { base[i] }

    @inline(__always) private mutating func skipWhitespace() {
        while position < length {
            let b = base[position]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 } else { return }
        }
    }

    @inline(__always) private mutating func parseValue() throws(JSONError) {
        guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
        switch base[position] {
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", kind: .true)
        case UInt8(ascii: "f"): try parseLiteral("false", kind: .false)
        case UInt8(ascii: "n"): try parseLiteral("null", kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        case let b: throw JSONError(.unexpectedByte(b, expected: "a JSON value"), at: position)
        }
    }

    private mutating func parseLiteral(_ word: StaticString, kind: JSONKind) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        let start = position
        guard start + count <= length else { throw JSONError(.unexpectedEnd, at: length) }
        let w = word.utf8Start
        for i in 0..<count where base[start + i] != w[i] {
            throw JSONError(.unexpectedByte(base[start + i], expected: "'\(word)'"), at: start + i)
        }
        position += count
        try append(JSONNode(kind: kind, hasEscapes: false, start: UInt32(start), end: UInt32(position),
                              next: UInt32(nodeCount + 1), count: 0))
    }

    private mutating func parseNumber() throws(JSONError) {
        let start = position
        if base[position] == UInt8(ascii: "-") { position += 1 }
        guard position < length else { throw JSONError(.invalidNumber, at: start) }
        let first = base[position]
        if first == UInt8(ascii: "0") {
            position += 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            position += 1
            while position < length, isDigit(base[position]) { position += 1 }
        } else {
            throw JSONError(.invalidNumber, at: start)
        }
        if position < length, base[position] == UInt8(ascii: ".") {
            position += 1
            let digitsStart = position
            while position < length, isDigit(base[position]) { position += 1 }
            if position == digitsStart { throw JSONError(.invalidNumber, at: start) }
        }
        if position < length, base[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < length, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") { position += 1 }
            let digitsStart = position
            while position < length, isDigit(base[position]) { position += 1 }
            if position == digitsStart { throw JSONError(.invalidNumber, at: start) }
        }
        try append(JSONNode(kind: .number, hasEscapes: false, start: UInt32(start), end: UInt32(position),
                              next: UInt32(nodeCount + 1), count: 0))
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    @inline(__always) private mutating func parseString() throws(JSONError) {
        // position is at the opening quote.
        position += 1
        let start = position
        var escapes = false
        while true {
            // Skip eight ordinary bytes at a time (no quote, no backslash, no control character),
            // then jump straight to the first special byte of the word that holds one.
            var p = position
            while p + 8 <= length {
                let word = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
                let special = JSONParser.specialBytes(UInt64(littleEndian: word))
                if special != 0 {
                    p += special.trailingZeroBitCount >> 3
                    break
                }
                p += 8
            }
            position = p
            guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
            let b = base[position]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escapes = true
                position += 1
                guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
                switch base[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < length else { throw JSONError(.unexpectedEnd, at: length) }
                    for i in 1...4 where JSONParser.hexValue(base[position + i]) == nil {
                        throw JSONError(.invalidEscape, at: position + i)
                    }
                    position += 5
                default:
                    throw JSONError(.invalidEscape, at: position - 1)
                }
                continue
            }
            if b < 0x20 { throw JSONError(.controlCharacterInString, at: position) }
            position += 1
        }
        try append(JSONNode(kind: .string, hasEscapes: escapes, start: UInt32(start), end: UInt32(position),
                              next: UInt32(nodeCount + 1), count: 0))
        position += 1 // closing quote
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// For eight bytes loaded little-endian: the high bit of each byte that is `"`, `\\` or below
    /// 0x20 is set. Bits above the lowest set one may be false positives (borrows), but the lowest
    /// set bit always marks the first such byte, and a word without one gives 0.
    @inline(__always) static func specialBytes(_ word: UInt64) -> UInt64 {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let belowSpace = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | belowSpace) & highs
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private mutating func enter() throws(JSONError) {
        depth += 1
        if depth > maxDepth { throw JSONError(.tooDeep(limit: maxDepth), at: position) }
    }

    private mutating func parseObject() throws(JSONError) {
        try enter()
        let index = nodeCount
        let start = position
        try append(JSONNode(kind: .object, hasEscapes: false, start: UInt32(start), end: 0, next: 0, count: 0))
        position += 1
        var count: UInt32 = 0
        skipWhitespace()
        if position < length, base[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
                guard base[position] == UInt8(ascii: "\"") else {
                    throw JSONError(.unexpectedByte(base[position], expected: "a string key"), at: position)
                }
                try parseString()
                skipWhitespace()
                guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
                guard base[position] == UInt8(ascii: ":") else {
                    throw JSONError(.unexpectedByte(base[position], expected: "':' after an object key"), at: position)
                }
                position += 1
                skipWhitespace()
                try parseValue()
                count += 1
                skipWhitespace()
                guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
                let b = base[position]
                if b == UInt8(ascii: ",") { position += 1; continue }
                if b == UInt8(ascii: "}") { position += 1; break }
                throw JSONError(.unexpectedByte(b, expected: "',' or '}' after an object member"), at: position)
            }
        }
        tape[index].end = UInt32(position)
        tape[index].next = UInt32(nodeCount)
        tape[index].count = count
        depth -= 1
    }

    private mutating func parseArray() throws(JSONError) {
        try enter()
        let index = nodeCount
        let start = position
        try append(JSONNode(kind: .array, hasEscapes: false, start: UInt32(start), end: 0, next: 0, count: 0))
        position += 1
        var count: UInt32 = 0
        skipWhitespace()
        if position < length, base[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                try parseValue()
                count += 1
                skipWhitespace()
                guard position < length else { throw JSONError(.unexpectedEnd, at: position) }
                let b = base[position]
                if b == UInt8(ascii: ",") { position += 1; continue }
                if b == UInt8(ascii: "]") { position += 1; break }
                throw JSONError(.unexpectedByte(b, expected: "',' or ']' after an array element"), at: position)
            }
        }
        tape[index].end = UInt32(position)
        tape[index].next = UInt32(nodeCount)
        tape[index].count = count
        depth -= 1
    }
}
