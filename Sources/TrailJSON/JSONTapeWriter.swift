/// Builds a ``JSONDocument`` directly, writing its text and its tape together, so that a small
/// document assembled from known values (an EventBridge envelope, say) needs no parse.
///
/// Usage mirrors ``JSONWriter``: `beginObject()`, `key(_:)`, values, `endObject()`, then
/// `finish()`. Exactly one top-level value must be written.
public struct JSONTapeWriter {
    private var bytes: [UInt8] = []
    private var nodes: [JSONNode] = []
    /// Open containers: node index and members or elements written so far.
    private var open: [(index: Int, count: UInt32)] = []
    private var afterKey = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        nodes.reserveCapacity(24)
    }

    private mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = open.last {
            if last.count > 0 { bytes.append(UInt8(ascii: ",")) }
            open[open.count - 1].count += 1
        }
    }

    public mutating func beginObject() { beginContainer(.object, UInt8(ascii: "{")) }
    public mutating func endObject() { endContainer(UInt8(ascii: "}")) }
    public mutating func beginArray() { beginContainer(.array, UInt8(ascii: "[")) }
    public mutating func endArray() { endContainer(UInt8(ascii: "]")) }

    private mutating func beginContainer(_ kind: JSONKind, _ opening: UInt8) {
        beforeValue()
        open.append((nodes.count, 0))
        nodes.append(JSONNode(kind: kind, hasEscapes: false, start: UInt32(bytes.count), end: 0, next: 0, count: 0))
        bytes.append(opening)
    }

    private mutating func endContainer(_ closing: UInt8) {
        guard let (index, count) = open.popLast() else { return }
        bytes.append(closing)
        nodes[index].end = UInt32(bytes.count)
        nodes[index].next = UInt32(nodes.count)
        nodes[index].count = count
    }

    /// An object key known at compile time to need no escaping; the next value belongs to it.
    public mutating func key(_ name: StaticString) {
        beforeValue()
        let start = bytes.count + 1
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        nodes.append(JSONNode(kind: .string, hasEscapes: false, start: UInt32(start), end: UInt32(bytes.count - 1),
                              next: UInt32(nodes.count + 1), count: 0))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// An object key; the next value belongs to it.
    public mutating func key(_ name: String) {
        beforeValue()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        beforeValue()
        appendString(value)
    }

    /// A string value made of a constant prefix and UTF-8 bytes (escaped as needed).
    public mutating func string(prefix: StaticString, utf8 rest: UnsafeBufferPointer<UInt8>) {
        beforeValue()
        let quoteAt = bytes.count
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        JSONWriter.appendEscaped(utf8: rest, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        let escapes = bytes.count - quoteAt - 2 != prefix.utf8CodeUnitCount + rest.count
        nodes.append(JSONNode(kind: .string, hasEscapes: escapes, start: UInt32(quoteAt + 1), end: UInt32(bytes.count - 1),
                              next: UInt32(nodes.count + 1), count: 0))
    }

    /// A string value given as already-valid JSON string text, quotes included (for example a
    /// string's `rawBytes` from another document).
    public mutating func rawString(_ quoted: ArraySlice<UInt8>) {
        guard quoted.count >= 2 else { string(""); return }
        beforeValue()
        let start = bytes.count + 1
        bytes.append(contentsOf: quoted)
        let escapes = quoted.contains(UInt8(ascii: "\\"))
        nodes.append(JSONNode(kind: .string, hasEscapes: escapes, start: UInt32(start), end: UInt32(bytes.count - 1),
                              next: UInt32(nodes.count + 1), count: 0))
    }

    private mutating func appendString(_ value: String) {
        let quoteAt = bytes.count
        JSONWriter.appendQuoted(value, to: &bytes)
        let escapes = bytes.count - quoteAt - 2 != value.utf8.count
        nodes.append(JSONNode(kind: .string, hasEscapes: escapes, start: UInt32(quoteAt + 1), end: UInt32(bytes.count - 1),
                              next: UInt32(nodes.count + 1), count: 0))
    }

    /// The finished document.
    public func finish() -> JSONDocument {
        JSONDocument(bytes: bytes, nodes: nodes, rootIndexes: nodes.isEmpty ? [] : [0])
    }
}
