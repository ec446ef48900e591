import Foundation
import Synchronization
import TrailSync
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: started once per test process on first use,
/// stopped (and its directory deleted) when the process exits, whether the tests passed or not.
///
/// It runs PostgreSQL's own `initdb` and `pg_ctl` (from PATH, else the newest
/// `/usr/lib/postgresql/*/bin`); as root it runs them as the `postgres` system user. The cluster
/// listens on 127.0.0.1 on a free port, with its Unix socket in its temporary directory, and is
/// tuned for tests only (`fsync`, `synchronous_commit` and `full_page_writes` off). TCP logins
/// need the superuser `trailwatch`'s password (scram-sha-256). When `openssl` is on PATH the server
/// also offers TLS with a certificate for `localhost` (a DNS name only, so connecting to `127.0.0.1`
/// fails `verify-full`) signed by a test CA (`caFile`).
///
/// When the cluster cannot be started, `shared()` throws an error saying why, so a test that needs
/// it fails with that reason instead of passing silently.
public final class PostgresTestCluster: Sendable {
    /// Why the cluster could not be started (or a database made).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The superuser the tests log in as.
    public static let user = "trailwatch"
    /// The superuser's password (random per process).
    public let password: String
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The temporary directory holding the data directory, the socket and the logs.
    public let directory: String
    /// PostgreSQL's `bin` directory used.
    public let binDirectory: String
    /// The CA certificate (PEM) that signed the server's certificate, or nil when the server has no TLS.
    public let caFile: String?
    /// Another CA's certificate, which did not sign the server's (for refusal tests); nil without TLS.
    public let otherCAFile: String?

    private static let sharedState = Mutex<Result<PostgresTestCluster, Failure>?>(nil)
    private let databaseCounter = Mutex(0)

    /// The process's cluster, started on first call; later calls return it, or the same failure.
    public static func shared() throws(Failure) -> PostgresTestCluster {
        let result = sharedState.locked { state -> Result<PostgresTestCluster, Failure> in
            if let state { return state }
            let result = Result { () throws(Failure) -> PostgresTestCluster in try PostgresTestCluster.start() }
            if case .success = result { atexit { PostgresTestCluster.stopShared() } }
            state = result
            return result
        }
        return try result.get()
    }

    /// A cluster of the caller's own (for tests that restart or reconfigure the server, which would
    /// disturb the tests sharing `shared()`); the caller stops it with `stop()`, or the process's
    /// end does. `tls: false` makes a server that offers no TLS.
    public static func startPrivate(tls: Bool = true) throws(Failure) -> PostgresTestCluster {
        try start(tls: tls)
    }

    /// `postgres://trailwatch:PASSWORD@127.0.0.1:PORT/DATABASE` (plain TCP, password login).
    public func url(database: String, query: String = "") -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)" + (query.isEmpty ? "" : "?" + query)
    }

    /// The Unix socket directory (logins over the socket are trusted).
    public var socketDirectory: String { directory }

    /// A new, empty database with a unique name starting with `prefix` (lower-case letters, digits
    /// and `_` kept), so tests can run in parallel.
    public func makeDatabase(prefix: String) throws(Failure) -> (url: String, name: String) {
        let clean = String(prefix.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }.prefix(30))
        let number = databaseCounter.locked { counter -> Int in
            counter += 1
            return counter
        }
        let name = "\(clean.isEmpty ? "t" : clean)_\(getpid())_\(number)"
        try psql("CREATE DATABASE \(name)")
        return (url(database: name), name)
    }

    /// Runs SQL as the superuser over the Unix socket, in database `postgres`.
    public func psql(_ sql: String, database: String = "postgres") throws(Failure) {
        let result = Self.run(binDirectory + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", directory, "-p", String(port),
                                                      "-U", Self.user, "-d", database, "-c", sql], asPostgres: false, logDirectory: directory)
        guard result.status == 0 else { throw Failure(description: "psql \(sql) failed: \(result.output)") }
    }

    /// Restarts the server on the same port (`pg_ctl restart -m fast`): open connections are cut.
    public func restart() throws(Failure) {
        let result = Self.run(binDirectory + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "-m", "fast", "restart"],
                              asPostgres: true, logDirectory: directory)
        guard result.status == 0 else { throw Failure(description: "pg_ctl restart failed: \(result.output)\n\(serverLog())") }
    }

    /// Stops the server (`pg_ctl stop -m fast`: open connections are cut), keeping its data, until
    /// ``startServer()``: the server is away, as in a failover or a partition.
    public func stopServer() throws(Failure) {
        let result = Self.run(binDirectory + "/pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "-t", "60", "stop"],
                              asPostgres: true, logDirectory: directory)
        guard result.status == 0 else { throw Failure(description: "pg_ctl stop failed: \(result.output)\n\(serverLog())") }
    }

    /// Starts the server stopped by ``stopServer()`` again, on the same port.
    public func startServer() throws(Failure) {
        let result = Self.run(binDirectory + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start"],
                              asPostgres: true, logDirectory: directory)
        guard result.status == 0 else { throw Failure(description: "pg_ctl start failed: \(result.output)\n\(serverLog())") }
    }

    /// Stops the server at once and deletes its directory.
    public func stop() {
        _ = Self.run(binDirectory + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "-t", "30", "stop"], asPostgres: true, logDirectory: nil)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The end of the server's log, for failure messages.
    public func serverLog() -> String {
        let text = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        return String(text.suffix(4000))
    }

    private init(password: String, port: Int, directory: String, binDirectory: String, caFile: String?, otherCAFile: String?) {
        self.password = password
        self.port = port
        self.directory = directory
        self.binDirectory = binDirectory
        self.caFile = caFile
        self.otherCAFile = otherCAFile
    }

    private static func stopShared() {
        let cluster = sharedState.locked { state -> PostgresTestCluster? in
            guard case .success(let cluster) = state else { return nil }
            state = nil
            return cluster
        }
        cluster?.stop()
    }

    // MARK: Starting

    private static func start(tls wantTLS: Bool = true) throws(Failure) -> PostgresTestCluster {
        let bin = try findBinDirectory()
        sweepAbandoned(bin: bin)
        var template = Array("/tmp/trailwatch-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        var started = false
        defer { if !started { try? FileManager.default.removeItem(atPath: directory) } }
        let asPostgres = geteuid() == 0
        if asPostgres {
            guard let account = getpwnam("postgres") else {
                throw Failure(description: "running as root, but there is no postgres system user to run the server as (install Debian's postgresql)")
            }
            guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw Failure(description: "chown of \(directory) to postgres failed: \(String(cString: strerror(errno)))")
            }
        }
        startWatchdog(directory: directory, bin: bin, asPostgres: asPostgres)
        try writeOwned(directory + "/" + ownerFile, "\(getpid())\n", asPostgres: false)
        let password = (0..<4).map { _ in String(UInt64.random(in: 1..<UInt64.max), radix: 16) }.joined()
        try writeOwned(directory + "/pwfile", password + "\n", asPostgres: asPostgres)
        let initdb = run(bin + "/initdb", ["-D", directory + "/data", "-U", user, "--pwfile=" + directory + "/pwfile",
                                           "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"],
                         asPostgres: asPostgres, logDirectory: directory)
        guard initdb.status == 0 else { throw Failure(description: "initdb failed (exit \(initdb.status)): \(initdb.output)") }

        let tls = wantTLS ? makeCertificates(directory: directory, asPostgres: asPostgres) : nil
        var lastFailure = ""
        for _ in 0..<3 {
            let port = try freePort()
            var settings = """

                listen_addresses = '127.0.0.1'
                port = \(port)
                unix_socket_directories = '\(directory)'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200
                """
            if tls != nil {
                settings += "\nssl = on\nssl_cert_file = '\(directory)/server.crt'\nssl_key_file = '\(directory)/server.key'\n"
            }
            try append(settings, to: directory + "/data/postgresql.auto.conf")
            let start = run(bin + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start"],
                            asPostgres: asPostgres, logDirectory: directory)
            if start.status == 0 {
                started = true
                return PostgresTestCluster(password: password, port: port, directory: directory, binDirectory: bin,
                                           caFile: tls?.ca, otherCAFile: tls?.otherCA)
            }
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            lastFailure = "pg_ctl start failed (exit \(start.status)): \(start.output)\n\(log.suffix(2000))"
            // A port taken between probing and binding: try another.
            guard log.contains("could not bind") || log.contains("Address already in use") else { break }
        }
        throw Failure(description: lastFailure)
    }

    /// Starts a shell that stops the cluster and deletes its directory once this process is gone,
    /// however it ends (the exit hook does not run after a crash or `kill -9`, nor, seen here, when
    /// Swift Testing ends a failed run).
    private static func startWatchdog(directory: String, bin: String, asPostgres: Bool) {
        let stop = (asPostgres ? "/usr/sbin/runuser -u postgres -- " : "") + "'\(bin)/pg_ctl' -D '\(directory)/data' -m immediate -w -t 30 stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(directory)'"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Holds none of the test process's pipes, so whoever reads them sees their end at once.
        _ = spawnActionsCloseFrom(&actions, 3)
        // A session of its own, so a signal to the test's process group does not end it too.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID, not imported
        let argv = ["/bin/sh", "-c", script]
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        _ = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
    }

    /// Names the test process that started a cluster, so a later run can stop it if that process died
    /// without its exit hook (a crash).
    private static let ownerFile = "trailwatch-test-owner.pid"

    /// Stops and deletes clusters whose test process is gone.
    private static func sweepAbandoned(bin: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("trailwatch-pg-") {
            let directory = "/tmp/" + name
            guard let text = try? String(contentsOfFile: directory + "/" + ownerFile, encoding: .utf8),
                  let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH else { continue }
            _ = run(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "-t", "30", "stop"], asPostgres: geteuid() == 0, logDirectory: nil)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    private static func findBinDirectory() throws(Failure) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/initdb"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: candidate))
                    .map { $0.hasPrefix("/") ? $0 : String(dir) + "/" + $0 } ?? candidate
                let bin = (resolved as NSString).deletingLastPathComponent
                if FileManager.default.isExecutableFile(atPath: bin + "/pg_ctl") { return bin }
            }
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { Int($0) }.sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb") {
            return "/usr/lib/postgresql/\(version)/bin"
        }
        throw Failure(description: "PostgreSQL's initdb is neither on PATH nor in /usr/lib/postgresql/*/bin: install Debian's postgresql (.ci/run does)")
    }

    private static func freePort() throws(Failure) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "could not find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A test CA, a server certificate for localhost it signed, and a second CA; nil without openssl.
    private static func makeCertificates(directory: String, asPostgres: Bool) -> (ca: String, otherCA: String)? {
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let openssl else { return nil }
        let d = directory
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=TrailWatch test CA",
             "-keyout", d + "/ca.key", "-out", d + "/ca.crt"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other test CA",
             "-keyout", d + "/other-ca.key", "-out", d + "/other-ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", d + "/server.key", "-out", d + "/server.csr"],
            ["x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key", "-CAcreateserial",
             "-days", "2", "-out", d + "/server.crt", "-extfile", d + "/server.ext"],
        ]
        guard (try? writeOwned(d + "/server.ext", "subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\n", asPostgres: false)) != nil else { return nil }
        for step in steps {
            guard run(openssl, step, asPostgres: false, logDirectory: directory).status == 0 else { return nil }
        }
        // The server refuses a key that others can read; as root, it must belong to postgres.
        chmod(d + "/server.key", 0o600)
        if asPostgres, let account = getpwnam("postgres") {
            chown(d + "/server.key", account.pointee.pw_uid, account.pointee.pw_gid)
            chown(d + "/server.crt", account.pointee.pw_uid, account.pointee.pw_gid)
        }
        return (d + "/ca.crt", d + "/other-ca.crt")
    }

    private static func writeOwned(_ path: String, _ text: String, asPostgres: Bool) throws(Failure) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure(description: "cannot write \(path)")
        }
        if asPostgres, let account = getpwnam("postgres") {
            chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
    }

    private static func append(_ text: String, to path: String) throws(Failure) {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw Failure(description: "cannot open \(path)") }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw Failure(description: "cannot append to \(path): \(error)")
        }
    }

    /// Runs a command (as postgres when `asPostgres`), its output in a file: returns the exit status
    /// and the output's end.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`, whose wait on Linux also waits
    /// for every descendant to close a descriptor it hands down: `pg_ctl start` leaves the server
    /// running, so `waitUntilExit` never returned.
    private static func run(_ executable: String, _ arguments: [String], asPostgres: Bool, logDirectory: String?) -> (status: Int32, output: String) {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = (logDirectory ?? NSTemporaryDirectory()) + "/command-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = spawnActionsCloseFrom(&actions, 3)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { return (-1, "\(argv[0]) could not be started: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return (-1, "waitpid: \(String(cString: strerror(errno)))") }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        let exitStatus: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exitStatus, String(text.suffix(4000)))
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module
/// does not import: the child closes every descriptor from `from` up.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnActionsCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
