import TrailJSON
import TrailModel

/// Finds the CloudTrail records in a file's (decompressed) bytes, whatever container they come in.
///
/// The format is detected from the content: `{"Records":[...]}`, a bare array of records, JSON
/// lines of records or of EventBridge envelopes, one EventBridge envelope, `aws cloudtrail
/// lookup-events` output (records as JSON strings), and the files that hold no records by nature
/// (CloudTrail-Digest, Insight, other JSON, empty input), which come back with a `skipReason`.
///
/// Pure: no file, network or clock access. Records are views into one parsed document per file
/// (per line only for JSON lines that contain a broken line, and per event for lookup-events).
public enum RecordDecoder {
    /// Nesting limit for every parsed document.
    public static let maxDepth = JSONDocument.defaultMaxDepth

    /// The most JSON values (tape nodes) a document of `count` bytes may hold: one per 8 bytes
    /// on average, plus slack for small documents. CloudTrail averages one per 18 bytes; input
    /// denser than this (`[0,0,0,…]`) is refused rather than given a tape several times its size.
    public static func maxNodes(forBytes count: Int) -> Int { count / 8 + 4096 }

    /// Decodes one file's content.
    ///
    /// - Throws: ``DecodeError`` when the content is not JSON (or not JSON lines) at all, with the
    ///   byte offset of the error; `isIncomplete` when the content ends in the middle of a value.
    public static func decode(_ bytes: [UInt8], path: String) throws(DecodeError) -> DecodedFile {
        var input = bytes
        // A UTF-8 byte order mark becomes spaces, so offsets stay those of the file.
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            input[0] = 0x20; input[1] = 0x20; input[2] = 0x20
        }
        guard let first = input.first(where: { !isWhitespace($0) }) else {
            return DecodedFile(format: .empty, skipReason: "empty input")
        }
        // Text that cannot begin any CloudTrail container (a README beside the logs, notes) is
        // not a log file at all: skipped, not failed.
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            return DecodedFile(format: .unknownJSON, skipReason: "not CloudTrail: neither a JSON object nor an array")
        }
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: input, maxDepth: maxDepth, allowMultipleRoots: true, maxNodes: maxNodes(forBytes: input.count))
        } catch {
            return try decodeLines(input, path: path, wholeFileError: error)
        }
        if document.rootIndexes.count > 1 { return decodeValues(document, path: path) }
        if let records = document.root["Records"], !records.isArray {
            throw DecodeError(path: path, byteOffset: records.byteOffset, reason: "\"Records\" is not an array", isIncomplete: false)
        }
        return decodeSingle(document, path: path)
    }

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    // MARK: One top-level value

    private static func decodeSingle(_ document: JSONDocument, path: String) -> DecodedFile {
        document.withCursor { t in
            let root = document.rootIndexes[0]
            var acc = FileAccumulator(path: path)
            switch t.kind(root) {
            case .object:
                let inspection = ObjectInspection(t, root)
                if inspection.records >= 0 {
                    t.forEachElement(inspection.records) { e in acc.addRecord(t, e, byteOffset: t.byteOffset(e)) }
                    return acc.finish(.cloudTrailLog)
                }
                if inspection.events >= 0 {
                    decodeLookupEvents(t, inspection.events, into: &acc)
                    return acc.finish(.lookupEvents)
                }
                if inspection.isEnvelope {
                    acc.addLine(t, root)
                    return acc.finish(.eventBridge)
                }
                if inspection.looksLikeDigest {
                    return DecodedFile(format: .digest, skipReason: "CloudTrail-Digest file")
                }
                if inspection.looksLikeRecord {
                    acc.addRecord(t, root, inspection, byteOffset: t.byteOffset(root))
                    return acc.finish(.jsonLines)
                }
                return DecodedFile(format: .unknownJSON, skipReason: "not CloudTrail: \(describeObject(t, root))")
            case .array:
                t.forEachElement(root) { e in acc.addLine(t, e) }
                if acc.total == 0 { return DecodedFile(format: .recordArray) }
                if acc.recognised == 0 {
                    return DecodedFile(format: .unknownJSON, skipReason: "not CloudTrail: an array of \(acc.total) values that are not records")
                }
                return acc.finish(acc.envelopes == acc.total ? .eventBridge : .recordArray)
            default:
                return DecodedFile(format: .unknownJSON, skipReason: "not CloudTrail: a single JSON \(kindName(t.kind(root)))")
            }
        }
    }

    /// `Events` of lookup-events output: each event's `CloudTrailEvent` is a record encoded as a
    /// JSON string (an event that is itself a record is taken as it is).
    private static func decodeLookupEvents(_ t: Tape, _ events: Int, into acc: inout FileAccumulator) {
        t.forEachElement(events) { e in
            let offset = t.byteOffset(e)
            let inspection = ObjectInspection(t, e)
            if inspection.cloudTrailEvent >= 0 {
                let text = t.decodedStringBytes(inspection.cloudTrailEvent)
                do throws(JSONError) {
                    let inner = try JSONDocument(bytes: text, maxDepth: maxDepth, maxNodes: maxNodes(forBytes: text.count))
                    inner.withCursor { it in acc.addRecord(it, inner.rootIndexes[0], byteOffset: offset) }
                } catch {
                    acc.addInvalid(byteOffset: offset, reason: "CloudTrailEvent is not valid JSON: \(describe(error, base: nil))")
                }
            } else if inspection.looksLikeRecord {
                acc.addRecord(t, e, inspection, byteOffset: offset)
            } else {
                acc.addInvalid(byteOffset: offset, reason: "event has no CloudTrailEvent")
            }
        }
    }

    // MARK: Several top-level values

    /// Whitespace-separated values that all parse: JSON lines of records or envelopes, or
    /// concatenated log files (`{"Records":[...]}` twice, as a multi-member gzip can hold).
    private static func decodeValues(_ document: JSONDocument, path: String) -> DecodedFile {
        document.withCursor { t in
            var acc = FileAccumulator(path: path)
            var containers = 0
            for root in document.rootIndexes {
                let inspection = ObjectInspection(t, root)
                if inspection.records >= 0 {
                    containers += 1
                    t.forEachElement(inspection.records) { e in acc.addRecord(t, e, byteOffset: t.byteOffset(e)) }
                } else if inspection.events >= 0 {
                    containers += 1
                    decodeLookupEvents(t, inspection.events, into: &acc)
                } else {
                    acc.addLine(t, root, inspection)
                }
            }
            if containers == document.rootIndexes.count { return acc.finish(.cloudTrailLog) }
            if acc.recognised == 0 {
                return DecodedFile(format: .unknownJSON, skipReason: "not CloudTrail: \(acc.total) JSON values that are not records")
            }
            return acc.finish(acc.envelopes == acc.total ? .eventBridge : .jsonLines)
        }
    }

    /// JSON lines with at least one line that does not parse: every line on its own, a broken
    /// line becomes an invalid record. Input that is not line-structured fails as a whole.
    private static func decodeLines(_ input: [UInt8], path: String, wholeFileError: JSONError) throws(DecodeError) -> DecodedFile {
        var lines: [Range<Int>] = []
        var start = 0
        for i in input.indices where input[i] == 0x0A {
            lines.append(start..<i)
            start = i + 1
        }
        if start < input.count { lines.append(start..<input.count) }
        lines.removeAll { line in !input[line].contains { !isWhitespace($0) } }
        let fileError = DecodeError(path: path, byteOffset: wholeFileError.offset, reason: describe(wholeFileError, base: nil),
                                    isIncomplete: wholeFileError.reason == .unexpectedEnd)
        // Line-structured: objects one per line, of which the first or second parses on its own
        // (so that one broken leading line does not hide the rest).
        let firstByte = input.first { !isWhitespace($0) }
        guard lines.count >= 2, firstByte == UInt8(ascii: "{"),
              lines.prefix(2).contains(where: { line in (try? JSONDocument(bytes: Array(input[line]), maxDepth: maxDepth, maxNodes: maxNodes(forBytes: line.count)))?.root.isObject == true })
        else { throw fileError }
        let endsWithNewline = input.last == 0x0A || input.last == 0x0D
        var acc = FileAccumulator(path: path)
        for (n, line) in lines.enumerated() {
            let lineStart = line.lowerBound + (input[line].firstIndex { !isWhitespace($0) } ?? line.lowerBound) - line.lowerBound
            do throws(JSONError) {
                let document = try JSONDocument(bytes: Array(input[line]), maxDepth: maxDepth, maxNodes: maxNodes(forBytes: line.count))
                document.withCursor { t in acc.addLine(t, document.rootIndexes[0], base: line.lowerBound) }
            } catch {
                if n == lines.count - 1, !endsWithNewline, error.reason == .unexpectedEnd {
                    throw DecodeError(path: path, byteOffset: line.lowerBound + error.offset,
                                      reason: "input ends inside the last line", isIncomplete: true)
                }
                acc.addInvalid(byteOffset: lineStart, reason: "line \(n + 1): \(describe(error, base: line.lowerBound))")
            }
        }
        if acc.recognised == 0 { throw fileError }
        return acc.finish(acc.envelopes > 0 && acc.envelopes == acc.recognised ? .eventBridge : .jsonLines)
    }

    // MARK: Messages

    /// `invalid JSON at byte N: what`, with `N` shifted by `base` when given.
    static func describe(_ error: JSONError, base: Int?) -> String {
        if let base { return "invalid JSON at byte \(base + error.offset): \(error.reasonText)" }
        return "invalid JSON: \(error.reasonText)"
    }

    private static func kindName(_ kind: JSONKind) -> String {
        switch kind {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .true, .false: "boolean"
        case .null: "null"
        }
    }

    private static func describeObject(_ t: Tape, _ obj: Int) -> String {
        var keys: [String] = []
        t.forEachMember(obj) { k, _ in
            if keys.count < 5, let s = t.string(k) { keys.append(s.count > 40 ? String(s.prefix(40)) + "…" : s) }
        }
        if keys.isEmpty { return "an empty JSON object" }
        let more = t.count(obj) > keys.count ? ", …" : ""
        return "a JSON object with keys " + keys.joined(separator: ", ") + more
    }
}
