#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser

/// Small file and stream helpers for the `pattern` commands.
enum PatternIO {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The most a `--pattern` or `--event` file may hold, and the longest `--jsonl` line.
    static let maxDocumentBytes = 64 << 20

    /// The whole content of a file, or of standard input for `-`, refused past `maxBytes` (so
    /// `/dev/zero` is an error, not all of memory).
    static func readFile(path: String, maxBytes: Int = maxDocumentBytes) throws(ReadError) -> [UInt8] {
        if path == "-" { return try readAll(fd: 0, name: "standard input", maxBytes: maxBytes) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(fd: fd, name: path, maxBytes: maxBytes)
    }

    private static func readAll(fd: Int32, name: String, maxBytes: Int) throws(ReadError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            guard out.count + n <= maxBytes else {
                throw ReadError(description: "\(name): larger than \(maxBytes >> 20) MiB")
            }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Calls `body` with each line read from `fd` as it arrives (without its newline or a `\r`
    /// before it; a final newline does not start a line), or with nil for a line longer than
    /// `maxLineBytes`, whose bytes are passed over without being kept.
    static func forEachLine(fd: Int32, maxLineBytes: Int = maxDocumentBytes, _ body: (ArraySlice<UInt8>?) -> Void) {
        var buffer: [UInt8] = []
        var start = 0          // where the current line begins in `buffer`
        var overlong = false   // the current line passed the limit; its bytes are being dropped
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        func deliver(_ end: Int) {
            if overlong || end - start > maxLineBytes {
                body(nil)
            } else {
                var last = end
                if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                body(buffer[start..<last])
            }
            overlong = false
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            var scan = buffer.count
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer[scan...].firstIndex(of: UInt8(ascii: "\n")) {
                deliver(newline)
                start = newline + 1
                scan = start
            }
            buffer.removeSubrange(0..<start)
            start = 0
            if buffer.count > maxLineBytes {
                overlong = true
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty || overlong { deliver(buffer.count) }
    }

    /// Line ranges of `bytes` (without the newline; a final newline does not start a line).
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            var end = i
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            out.append(start..<end)
            start = i + 1
        }
        if start < bytes.count { out.append(start..<bytes.count) }
        return out
    }

    /// Whether a byte range holds only whitespace.
    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

/// Buffered standard output.
struct PatternOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer[offset...].withUnsafeBytes { systemWrite(1, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    static func error(_ text: String) {
        var t = text + "\n"
        t.withUTF8 { _ = systemWrite(2, $0.baseAddress, $0.count) }
    }
}

@inline(__always) private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int { read(fd, p, n) }
@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { write(fd, p, n) }
