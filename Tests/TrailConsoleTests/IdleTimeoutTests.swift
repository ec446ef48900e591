#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import Testing
import TrailConsole
import TrailTestSupport

@Suite struct IdleTimeoutTests {
    /// A client that connects and sends only part of a request head (slowloris) is disconnected
    /// after the idle timeout (injected short here; 30 s in `serve`).
    @Test func anIdleOrTricklingConnectionIsClosed() async throws {
        var server = try ConsoleServer(console: ConsoleFixture.console(), listen: ListenAddress(parsing: "127.0.0.1:0"), token: nil)
        server.idleTimeout = .seconds(2)
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            for partial in ["", "GET / HTTP/1.1\r\nHost: localho"] {
                let fd = try LoopbackSocket.connect(port: port, readTimeout: 20)
                defer { close(fd) }
                if !partial.isEmpty { _ = partial.withCString { send(fd, $0, strlen($0), 0) } }
                var buffer = [UInt8](repeating: 0, count: 512)
                let n = recv(fd, &buffer, buffer.count, 0)
                #expect(n == 0, "the server closed the connection (recv gave \(n), errno \(errno)) for \"\(partial)\"")
            }
            // A whole request is still answered (the test client's own connection has idled out).
            // Up to 5 tries: on a loaded machine one answer can take longer than the short timeout.
            var answered = false
            for _ in 0..<5 where !answered {
                let fd = try LoopbackSocket.connect(port: port, readTimeout: 20)
                defer { close(fd) }
                _ = "GET /console.css HTTP/1.1\r\nHost: localhost\r\n\r\n".withCString { send(fd, $0, strlen($0), 0) }
                var buffer = [UInt8](repeating: 0, count: 512)
                let n = recv(fd, &buffer, buffer.count, 0)
                answered = n > 0 && String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self).hasPrefix("HTTP/1.1 200")
            }
            #expect(answered, "a whole request was not answered in 5 tries")
        }
    }

    /// A request that declares a body and sends it a byte at a time is not idle, so the idle
    /// timeout never closed it, even after its answer had gone out: 256 such clients locked
    /// everyone else out. The request deadline (injected short here; 30 s in `serve`) closes it.
    @Test func aRequestWhoseBodyTricklesIsClosedAtItsDeadline() async throws {
        var server = try ConsoleServer(console: ConsoleFixture.console(), listen: ListenAddress(parsing: "127.0.0.1:0"), token: nil)
        server.idleTimeout = .seconds(60)
        server.requestTimeout = .seconds(2)
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            let fd = try LoopbackSocket.connect(port: port, readTimeout: 20)
            defer { close(fd) }
            _ = "GET /console.css HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\nx".withCString { send(fd, $0, strlen($0), 0) }
            // Read the answer (sent at once), then keep a byte of body flowing every 0.5 s: the
            // connection must close although it is never idle.
            var buffer = [UInt8](repeating: 0, count: 65536)
            var closed = false
            for _ in 0..<60 where !closed {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, 500) > 0 {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n <= 0 { closed = true; break }
                }
                _ = "x".withCString { send(fd, $0, 1, Int32(MSG_NOSIGNAL)) }
            }
            #expect(closed, "a connection trickling a body for 30 s was not closed")
        }
    }
}
