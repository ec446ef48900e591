import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import TrailStore
import TrailSync

extension PostgresSession {
    /// Loads `rows` into `table` with `COPY … FROM STDIN` (text format), the fast path for bulk
    /// inserts: one statement, values streamed, never spliced into SQL. Each row has one value per
    /// column. Table and column names must be plain identifiers (letters, digits, `_`), as the
    /// store's own are; anything else is refused. Inside `transaction`, the rows commit with it.
    public func copy(into table: String, columns: [String], rows: [[PostgresBindValue]]) throws(StoreError) {
        let operation = "COPY"
        for name in [table] + columns where !Self.isPlainIdentifier(name) {
            throw StoreError(.invalidArgument, path: location.redacted, operation: operation,
                             message: "\(PercentCoding.encode(name)) is not a plain identifier (letters, digits and _)")
        }
        if let bad = rows.firstIndex(where: { $0.count != columns.count }) {
            throw StoreError(.invalidArgument, path: location.redacted, operation: operation,
                             message: "row \(bad + 1) has \(rows[bad].count) values for \(columns.count) columns")
        }
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError(.postgres, path: location.redacted, operation: operation,
                             message: "called on an event loop thread, which it would block; call it from a thread of its own")
        }
        let connection = try openConnection()
        let chunks = Self.copyText(rows)
        let promise = connection.eventLoop.makePromise(of: Void.self)
        let logger = Self.logger
        Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for chunk in chunks { try await writer.write(chunk) }
                }
                promise.succeed()
            } catch {
                promise.fail(error)
            }
        }
        // As for statements: no answer within the statement timeout (a partition dropping packets)
        // closes the connection, so the commit fails with `.connection` and is retried.
        let timedOut = Mutex(false)
        let timer = statementTimeout.map { timeout in
            connection.eventLoop.scheduleTask(in: timeout) {
                timedOut.locked { $0 = true }
                Self.closeSoon(connection)
            }
        }
        defer { timer?.cancel() }
        do {
            try promise.futureResult.wait()
        } catch {
            if timedOut.locked({ $0 }) {
                forget(connection)
                let seconds = Double(statementTimeout?.nanoseconds ?? 0) / 1e9
                throw StoreError(.connection, path: location.redacted, operation: operation,
                                 message: "no answer within \(seconds) s: the connection was closed")
            }
            if connection.isClosed { forget(connection) }
            throw PostgresErrors.storeError(error, location: location, operation: operation, phase: .statement)
        }
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.count <= 63 && name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
    }

    /// COPY's text format in buffers of about 256 KiB: values separated by tabs, rows ended by
    /// newlines, NULL as `\N`, and backslash, tab, newline and carriage return escaped; a NUL
    /// character (which `text` cannot hold) is written as U+FFFD, as the normaliser
    /// stores it and `query` binds it.
    static func copyText(_ rows: [[PostgresBindValue]]) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 << 18)
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                switch value {
                case .null:
                    buffer.writeStaticString("\\N")
                case .int(let number):
                    buffer.writeString(String(number))
                case .text(let text):
                    // Most values need no escape: copied whole rather than byte by byte.
                    guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == 0 }) else {
                        buffer.writeString(text)
                        continue
                    }
                    for byte in text.utf8 {
                        switch byte {
                        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                        case 0: buffer.writeStaticString("\u{FFFD}")
                        default: buffer.writeInteger(byte)
                        }
                    }
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
            if buffer.readableBytes >= 1 << 18 {
                chunks.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 18)
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        return chunks
    }
}
