#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrailTestSupport
@testable import TrailPipeline

/// The metrics endpoint must not let clients hold descriptors: tail needs them for log files
/// (idle connections kept for ever ran a tail out of descriptors, and its log files failed).
@Suite struct MetricsServerTests {
    /// Everything the server sends until it closes the connection (an orderly close, or a reset
    /// when it closed with our request unread), or nil when the read gives up.
    private func readToClose(_ fd: Int32) -> String? {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 || (n < 0 && errno == ECONNRESET) { return String(decoding: all, as: UTF8.self) }
            if n < 0 { return nil }
            all += buffer[0..<n]
        }
    }

    @Test func answersCloseTheirConnectionAndIdleOnesAreClosed() async throws {
        let server = try await MetricsServer.start(host: "127.0.0.1", port: 0) { "trailwatch_up 1\n" }
        defer { Task { await server.close() } }
        // An HTTP/1.1 scrape is answered and its connection closed (Connection: close).
        let scrape = try LoopbackSocket.connect(port: server.port)
        defer { close(scrape) }
        _ = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".withCString { send(scrape, $0, strlen($0), 0) }
        let answer = try #require(readToClose(scrape), "the connection stayed open after the answer")
        #expect(answer.hasPrefix("HTTP/1.1 200") && answer.contains("trailwatch_up 1"), "\(answer)")
        #expect(answer.lowercased().contains("connection: close"), "\(answer)")
        // More idle, half-sent connections than the server keeps: every one is closed by the
        // server (the extra ones at once, the rest when their lifetime ends).
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<(MetricsServer.maxConnections + 8) {
            let fd = try LoopbackSocket.connect(port: server.port)
            _ = "GET /met".withCString { send(fd, $0, strlen($0), 0) }
            idle.append(fd)
        }
        for fd in idle {
            #expect(readToClose(fd) != nil, "an idle connection was never closed")
        }
        // Then a scrape is answered again.
        let after = try LoopbackSocket.connect(port: server.port)
        defer { close(after) }
        _ = "GET /metrics HTTP/1.0\r\n\r\n".withCString { send(after, $0, strlen($0), 0) }
        #expect(readToClose(after)?.contains("trailwatch_up 1") == true)
    }
}
