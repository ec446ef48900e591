import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import TrailModel
import TrailStore
import TrailSync

/// One PostgreSQL connection with a blocking API, for the store's synchronous callers (a committer
/// thread, the CLI's main thread, NIO's blocking pool).
///
/// Statements use the extended protocol: values travel as bound parameters (`$1`, `$2`, …), never
/// as SQL text. Every row is buffered before `query` returns, up to `limits`. The connection is
/// opened on first use and again after it closed (server restart, network failure); a statement
/// that fails because the connection went away throws `.connection` and is not retried, since
/// only the caller knows whether it is safe to run again.
///
/// Outside a transaction, several threads may share a session: their statements queue on its one
/// connection. A transaction needs the session to itself (another thread's statement would run
/// inside it): give each writer its own session. Never call it on an event loop thread, which it
/// would block: that is refused with an error.
public final class PostgresSession: Sendable {
    /// Where the server is and how to log in.
    public let location: PostgresLocation
    /// The most a result may hold.
    public let limits: PostgresResultLimits

    private struct State {
        var connection: PostgresConnection?
        var inTransaction = false
        /// The connection the open transaction began on: statements never move to another one.
        var transactionConnection: ObjectIdentifier?
        var nextID = 1
    }
    private let state = Mutex(State())

    /// One event loop thread serves every session's sockets; the sessions' callers block on it.
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// PostgresNIO logs here; nothing is printed (standard output carries only results).
    static let logger = Logger(label: "trailwatch.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// How long a statement may wait for its whole result before the connection is closed and the
    /// statement fails with `.connection` (nil: no limit). A guard against a server or network that
    /// stops answering (a partition leaves the socket open); it must exceed the longest statement.
    public let statementTimeout: TimeAmount?

    public init(location: PostgresLocation, limits: PostgresResultLimits = PostgresResultLimits(), statementTimeout: TimeAmount? = nil) {
        self.location = location
        self.limits = limits
        self.statementTimeout = statementTimeout
    }

    deinit {
        if let connection = state.locked({ $0.connection }) { Self.closeSoon(connection) }
    }

    /// Connects now (otherwise the first statement does), so a wrong password or an unreachable
    /// server is reported before any work starts.
    public func connect() throws(StoreError) {
        _ = try openConnection()
    }

    /// Closes the connection; the next statement opens a new one.
    public func close() {
        guard let connection = state.locked({ state -> PostgresConnection? in
            defer { state.connection = nil }
            return state.connection
        }) else { return }
        _ = try? connection.close().wait()
    }

    /// Runs `sql` (parameters written `$1`, `$2`, …) with `binds`, and returns every row and the
    /// number of rows changed. Errors are `.postgres` for the server's refusals (SQLSTATE and
    /// message) and `.connection` when the server could not be reached or went away.
    /// `timeout`, when given, replaces ``statementTimeout`` for this statement (a statement known
    /// to run long, such as an index build on a large table).
    @discardableResult
    public func query(_ sql: String, _ binds: [PostgresBindValue] = [], timeout: TimeAmount? = nil) throws(StoreError) -> PostgresResult {
        let operation = Self.operation(sql)
        let statementTimeout = timeout ?? self.statementTimeout
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError(.postgres, path: location.redacted, operation: operation,
                             message: "called on an event loop thread, which it would block; call it from a thread of its own")
        }
        let connection = try openConnection()
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let i): bindings.append(i)
            // `text` has no NUL character: a looked-up name holding one (the console's search
            // box) finds U+FFFD, as the normaliser stores it, instead of failing the query.
            case .text(let s): bindings.append(s.replacingNULCharacters())
            }
        }
        let collector = RowCollector(limits: limits)
        let metadata: PostgresQueryMetadata
        let timedOut = Mutex(false)
        do {
            let future = connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.logger) { row in
                try collector.add(row)
            }
            let timer = statementTimeout.map { timeout in
                connection.eventLoop.scheduleTask(in: timeout) {
                    timedOut.locked { $0 = true }
                    Self.closeSoon(connection)
                }
            }
            defer { timer?.cancel() }
            metadata = try future.wait()
        } catch {
            // A row refused on the event loop cancels the statement: say why, not "cancelled".
            if let refusal = collector.refusal {
                throw StoreError(.postgres, path: location.redacted, operation: operation, message: refusal)
            }
            if timedOut.locked({ $0 }) {
                forget(connection)
                let seconds = Double(statementTimeout?.nanoseconds ?? 0) / 1e9
                throw StoreError(.connection, path: location.redacted, operation: operation,
                                 message: "no answer within \(seconds) s: the connection was closed")
            }
            if connection.isClosed { forget(connection) }
            throw PostgresErrors.storeError(error, location: location, operation: operation, phase: .statement)
        }
        let (columns, rows) = collector.take()
        return PostgresResult(columns: columns, rows: rows, command: metadata.command, affectedRows: metadata.rows ?? 0)
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`; when `body` throws, or the transaction was aborted by
    /// an earlier error that `body` caught, it is rolled back and the error thrown. A rollback that
    /// fails because the connection is gone is ignored (the server has discarded the transaction).
    /// When the connection is lost inside the transaction, every later statement of `body` fails
    /// too (none runs on a new connection, outside the transaction). When COMMIT itself fails with
    /// `.connection`, the transaction may or may not have committed. Transactions do not nest.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try state.locked { (state: inout State) throws(StoreError) in
            guard !state.inTransaction else {
                throw StoreError(.postgres, path: location.redacted, operation: "BEGIN", message: "a transaction is already open on this session")
            }
            state.inTransaction = true
        }
        defer {
            state.locked { state in
                state.inTransaction = false
                state.transactionConnection = nil
            }
        }
        try query("BEGIN")
        state.locked { state in state.transactionConnection = state.connection.map(ObjectIdentifier.init) }
        let result: T
        do {
            result = try body()
        } catch {
            rollBack()
            throw error
        }
        let commit: PostgresResult
        do {
            commit = try query("COMMIT")
        } catch {
            rollBack()
            throw error
        }
        // COMMIT of a transaction an error aborted answers ROLLBACK.
        guard commit.command == "COMMIT" else {
            throw StoreError(.postgres, path: location.redacted, operation: "COMMIT",
                             message: "the transaction was rolled back: a statement in it failed")
        }
        return result
    }

    private func rollBack() {
        _ = try? query("ROLLBACK")
    }

    /// The open connection, or a new one.
    func openConnection() throws(StoreError) -> PostgresConnection {
        let (existing, id, lostTransaction) = state.locked { state -> (PostgresConnection?, Int, Bool) in
            if let connection = state.connection, !connection.isClosed { return (connection, 0, false) }
            state.connection = nil
            // A new connection would run the rest of the transaction's statements outside it.
            if state.transactionConnection != nil { return (nil, 0, true) }
            defer { state.nextID += 1 }
            return (nil, state.nextID, false)
        }
        if let existing { return existing }
        guard !lostTransaction else {
            throw StoreError(.connection, path: location.redacted, operation: "statement",
                             message: "the connection was lost inside a transaction, which the server rolled back")
        }
        let operation = "connect"
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw StoreError(.postgres, path: location.redacted, operation: operation,
                             message: "called on an event loop thread, which it would block; call it from a thread of its own")
        }
        var configuration: PostgresConnection.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            configuration = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                                  database: location.database, tls: try PostgresTLS.configuration(for: location))
        }
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
        configuration.options.additionalStartupParameters = [("application_name", location.applicationName ?? "trailwatch")]
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: Self.eventLoopGroup.next(), configuration: configuration,
                                                        id: id, logger: Self.logger).wait()
        } catch {
            throw PostgresErrors.storeError(error, location: location, operation: operation, phase: .connect)
        }
        // Another thread may have connected meanwhile: keep one connection, close the other.
        let chosen = state.locked { state -> PostgresConnection in
            if let other = state.connection, !other.isClosed { return other }
            state.connection = connection
            return connection
        }
        if chosen !== connection { Self.closeSoon(connection) }
        return chosen
    }

    /// Closes `connection` without waiting; the closure keeps it alive until it has closed
    /// (PostgresNIO asserts that a connection is closed before it goes away).
    static func closeSoon(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    func forget(_ connection: PostgresConnection) {
        state.locked { state in
            if state.connection === connection { state.connection = nil }
        }
    }

    /// The first word of the statement (`SELECT`, `INSERT`, …), for error messages: the SQL
    /// itself may be long, and the values are never in it.
    static func operation(_ sql: String) -> String {
        let word = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" }.prefix { $0.isLetter }
        return word.isEmpty ? "statement" : word.uppercased()
    }
}

/// Rows collected on the event loop while a statement runs, within the session's limits.
private final class RowCollector: Sendable {
    struct TooLarge: Error {
        var message: String
    }

    private struct Rows {
        var columns: [String] = []
        var rows: [[PostgresCellValue]] = []
        var cells = 0
        var bytes = 0
    }
    private let rows = Mutex(Rows())
    private let limits: PostgresResultLimits

    init(limits: PostgresResultLimits) { self.limits = limits }

    private let refused = Mutex<String?>(nil)

    /// Why a row was refused (a cell the store cannot read, the limits), if one was.
    var refusal: String? { refused.locked { $0 } }

    func add(_ row: PostgresRow) throws {
        do {
            try collect(row)
        } catch let failure as PostgresCellDecoder.Failure {
            refused.locked { $0 = $0 ?? failure.message }
            throw failure
        } catch let failure as TooLarge {
            refused.locked { $0 = $0 ?? failure.message }
            throw failure
        }
    }

    private func collect(_ row: PostgresRow) throws {
        var cells: [PostgresCellValue] = []
        cells.reserveCapacity(row.count)
        var bytes = 0
        for cell in row {
            let value = try PostgresCellDecoder.decode(cell)
            cells.append(value)
            bytes += cell.bytes?.readableBytes ?? 0
        }
        // Column names once per result, from its first row.
        let columns = rows.locked { $0.rows.isEmpty } ? row.map(\.columnName) : []
        let limits = self.limits
        try rows.locked { (rows: inout Rows) throws(TooLarge) in
            rows.cells += cells.count
            rows.bytes += bytes + 8 * cells.count
            guard rows.cells <= limits.cells, rows.bytes <= limits.bytes else {
                throw TooLarge(message: "the result holds more than \(limits.cells) cells or \(limits.bytes) bytes; add a LIMIT")
            }
            if rows.rows.isEmpty { rows.columns = columns }
            rows.rows.append(cells)
        }
    }

    func take() -> ([String], [[PostgresCellValue]]) {
        rows.locked { rows in
            defer { rows = Rows() }
            return (rows.columns, rows.rows)
        }
    }
}
