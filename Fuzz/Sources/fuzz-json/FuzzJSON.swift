import FuzzSupport
import TrailJSON

/// The JSON parser on arbitrary bytes. On success every value is read through `JSONValue`, the
/// document is written back out (strings escaped from their decoded bytes, numbers verbatim) and
/// that text must parse to the same tree; parsing as JSON lines must accept it too, with one root.
@main enum FuzzJSONMain {
    static func main() { FuzzDriver.run(fuzzJSON) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    // Multiple roots (JSON lines) on the raw input: any result, no crash.
    if let lines = try? JSONDocument(bytes: bytes, allowMultipleRoots: true) {
        for root in lines.roots { JSONFuzzWalk.visit(root) }
    }
    // A small nesting limit exercises the depth check.
    _ = try? JSONDocument(bytes: bytes, maxDepth: 3)
    guard let document = try? JSONDocument(bytes: bytes) else { return 0 }
    let root = document.root
    JSONFuzzWalk.visit(root)
    guard let asLines = try? JSONDocument(bytes: bytes, allowMultipleRoots: true), asLines.rootIndexes.count == 1 else {
        FuzzInput.violated("a single document does not parse as one JSON line")
    }
    var out: [UInt8] = []
    JSONFuzzWalk.write(root, to: &out)
    let again: JSONDocument
    do {
        again = try JSONDocument(bytes: out)
    } catch {
        FuzzInput.violated("re-serialised document does not parse: \(error)")
    }
    if !JSONFuzzWalk.same(root, again.root) {
        FuzzInput.violated("re-serialised document differs")
    }
    return 0
}

enum JSONFuzzWalk {
    /// Reads every accessor of every value.
    static func visit(_ v: JSONValue) {
        _ = v.byteOffset
        _ = v.rawBytes.count
        _ = v.scalarText
        switch v.kind {
        case .object:
            var n = 0
            for (key, value) in v.members {
                n += 1
                if let k = String(validating: key.decodedStringBytes, as: UTF8.self), v[k] == nil { FuzzInput.violated("member \(k) not found by subscript") }
                visit(value)
            }
            if n != v.count { FuzzInput.violated("object count \(v.count), members \(n)") }
        case .array:
            var n = 0
            for element in v.elements { n += 1; visit(element) }
            if n != v.count { FuzzInput.violated("array count \(v.count), elements \(n)") }
        case .string:
            let decoded = v.decodedStringBytes
            if !decoded.withUnsafeBufferPointer({ v.stringEquals($0) }) { FuzzInput.violated("string not equal to its own bytes") }
            _ = v.string
        case .number:
            _ = v.double
            _ = v.int64
        case .true, .false, .null:
            _ = v.bool
        }
    }

    /// Compact JSON for `v`, strings written from their decoded bytes.
    static func write(_ v: JSONValue, to out: inout [UInt8]) {
        switch v.kind {
        case .object:
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in v.members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                quote(key.decodedStringBytes, to: &out)
                out.append(UInt8(ascii: ":"))
                write(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array:
            out.append(UInt8(ascii: "["))
            var first = true
            for element in v.elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string:
            quote(v.decodedStringBytes, to: &out)
        case .number, .true, .false, .null:
            out.append(contentsOf: v.rawBytes)
        }
    }

    static func quote(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { JSONWriter.appendQuoted(utf8: $0, to: &out) }
    }

    /// Structural equality: kinds, keys and strings by decoded bytes, numbers by source text.
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard a.kind == b.kind, a.count == b.count else { return false }
        switch a.kind {
        case .object:
            for (x, y) in zip(a.members, b.members) {
                guard x.key.decodedStringBytes == y.key.decodedStringBytes, same(x.value, y.value) else { return false }
            }
            return true
        case .array:
            for (x, y) in zip(a.elements, b.elements) where !same(x, y) { return false }
            return true
        case .string:
            return a.decodedStringBytes == b.decodedStringBytes
        case .number:
            return a.rawBytes.elementsEqual(b.rawBytes)
        case .true, .false, .null:
            return true
        }
    }
}
