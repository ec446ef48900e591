import Foundation
import Synchronization

/// Writes alerts as JSON lines to standard output or to a file (appending).
///
/// `@unchecked Sendable`: `buffer` and `handle` are used only under `lock`.
public final class FileHandleSink: AlertSink, @unchecked Sendable {
    private let handle: FileHandle
    private let lock = Mutex(())
    private var buffer: [UInt8] = []

    /// Standard output.
    public static func standardOutput() -> FileHandleSink { FileHandleSink(handle: .standardOutput) }

    /// Appends to `path`, creating it with mode 0600 when missing.
    public static func appending(to path: String) throws -> FileHandleSink {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        return FileHandleSink(handle: handle)
    }

    init(handle: FileHandle) { self.handle = handle }

    public func emit(_ jsonLine: String) {
        lock.withLock { _ in
            buffer.append(contentsOf: jsonLine.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 16 { writeBuffer() }
        }
    }

    public func flush() {
        lock.withLock { _ in writeBuffer() }
    }

    private func writeBuffer() {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(buffer))
        } catch {
            FileHandle.standardError.write(Data("trailwatch: cannot write alerts: \(error.localizedDescription)\n".utf8))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
