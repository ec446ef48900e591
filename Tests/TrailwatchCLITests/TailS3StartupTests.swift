import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tail s3://…` start-up failures after the S3 client exists (store locked, --metrics port busy)
/// exit 2 with the real message; they used to trap in the HTTP client's deinit (SIGILL). No S3
/// server is needed: nothing is requested before these failures.
@Suite("tail s3:// start-up failures")
struct TailS3StartupTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                              "HOME": NSTemporaryDirectory()]

    @Test("a store locked by another writer: exit 2 naming the lock, no crash")
    func lockedStore() throws {
        let dir = try TempDirectory()
        let db = dir.path("store.db").path
        let fd = open(db + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let result = try TrailwatchBinary.run(["tail", "s3://bucket", "--endpoint-url", "http://127.0.0.1:9", "--db", db, "--no-progress"],
                                              environment: Self.environment, timeout: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("in use by another trailwatch"), "\(result)")
        #expect(!result.stderr.contains("shut down"), "\(result)")
    }

    @Test("SIGTERM while a listing hangs on an endpoint that never answers: the listing is cancelled, exit 0 promptly")
    func stopCancelsListing() throws {
        let dir = try TempDirectory()
        let (listener, port) = try Self.silentListener()
        defer { close(listener) }
        let run = try TrailwatchBinary.launch(["tail", "s3://bucket", "--endpoint-url", "http://127.0.0.1:\(port)", "--db", dir.path("store.db").path,
                                               "--no-progress"], environment: Self.environment)
        defer { run.send(SIGKILL) }
        // The listing has connected (the kernel queued it; nobody will ever answer it).
        var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        try #require(poll(&ready, 1, 60_000) == 1, "tail never connected: \(run.stderrSoFar())")
        run.send(SIGTERM)
        // Each request may wait 300 s for an answer and 6 attempts are made: only a cancelled
        // listing ends within this bound.
        let result = try run.wait(timeout: 30)
        #expect(!result.timedOut && result.exitCode == 0, "\(result)")
    }

    /// A listening loopback socket that never accepts, and its port.
    static func silentListener() throws -> (Int32, Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && Glibc.listen(listener, 8) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("--metrics on a busy port: exit 2 naming --metrics, no crash")
    func busyMetricsPort() throws {
        let dir = try TempDirectory()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(listener, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try TrailwatchBinary.run(["tail", "s3://bucket", "--endpoint-url", "http://127.0.0.1:9", "--db", dir.path("store.db").path,
                                               "--no-progress", "--metrics", "127.0.0.1:\(port)"],
                                              environment: Self.environment, timeout: 60)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("--metrics"), "\(result)")
    }
}
