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

    /// The whole content of a file, or of standard input for `-`.
    static func readFile(path: String) throws(ReadError) -> [UInt8] {
        if path == "-" { return readAll(fd: 0) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReadError(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return readAll(fd: fd)
    }

    static func readAll(fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
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
