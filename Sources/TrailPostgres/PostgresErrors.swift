#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import TrailModel
import TrailStore

/// PostgresNIO's and NIO's errors as `StoreError`s: the server's SQLSTATE and message, or what
/// went wrong with the connection, in one line, never a dump and never the password.
enum PostgresErrors {
    /// The phase an error happened in: while connecting and logging in every failure is
    /// `.connection`; later, server errors are `.postgres` unless they are about the connection.
    enum Phase {
        case connect
        case statement
    }

    static func storeError(_ error: any Error, location: PostgresLocation, operation: String, phase: Phase) -> StoreError {
        let (kind, message) = classify(error, location: location, phase: phase)
        var storeError = StoreError(kind, path: location.redacted, operation: operation, message: message)
        if let psql = error as? PSQLError, psql.code == .server { storeError.sqlState = psql.serverInfo?[.sqlState] }
        return storeError
    }

    /// SQLSTATE classes and codes that mean the connection, not the statement, failed:
    /// 08 connection exception, 57P01–57P03 server shutting down or starting, 53300 too many connections.
    static func isConnectionState(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }

    /// SQLSTATEs of a transaction the server rolled back so that another could go on: 40P01
    /// deadlock detected, 40001 serialization failure. The connection is fine and nothing of the
    /// transaction stayed, so it may run again.
    static let rolledBackStates = ["40P01", "40001"]

    /// Whether `error` is a server error with one of ``rolledBackStates``.
    static func isRolledBack(_ error: StoreError) -> Bool {
        error.kind == .postgres && error.sqlState.map(rolledBackStates.contains) == true
    }

    private static func classify(_ error: any Error, location: PostgresLocation, phase: Phase) -> (StoreError.Kind, String) {
        let fallbackKind: StoreError.Kind = phase == .connect ? .connection : .postgres
        guard let psql = error as? PSQLError else {
            return (.connection, describe(error, location: location))
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? "?????"
            var message = "\(TerminalText.safe(state)) \(TerminalText.safe(psql.serverInfo?[.message] ?? "(no message)"))"
            if let detail = psql.serverInfo?[.detail] { message += " (\(TerminalText.safe(detail)))" }
            return (isConnectionState(state) ? .connection : fallbackKind, message)
        case .sslUnsupported:
            return (.connection, "the server does not offer TLS, which sslmode=\(location.tlsMode.rawValue) requires (use sslmode=disable only on a trusted network)")
        case .connectionError, .failedToAddSSLHandler:
            return (.connection, psql.underlying.map { describe($0, location: location) } ?? "could not connect")
        case .serverClosedConnection, .uncleanShutdown:
            let cause = psql.underlying.map { ": " + describe($0, location: location) } ?? ""
            return (.connection, "the server closed the connection" + cause)
        case .clientClosedConnection:
            return (.connection, "the connection was closed")
        case .authMechanismRequiresPassword:
            return (.connection, "the server asks for a password and none was found (in the URL, PGPASSWORD or the password file)")
        case .unsupportedAuthMechanism, .saslError:
            return (.connection, "login failed: \(psql.code) \(psql.underlying.map { describe($0, location: location) } ?? "")")
        case .tooManyParameters:
            return (.postgres, "more than 65535 bound parameters in one statement")
        case .queryCancelled:
            return (.postgres, "the statement was cancelled")
        default:
            return (fallbackKind, "protocol error: \(psql.code)")
        }
    }


    /// One line for NIO's and NIOSSL's errors.
    static func describe(_ error: any Error, location: PostgresLocation) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first {
                return "could not connect to \(failure.target): \(describe(failure.error, location: location))"
            }
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "could not resolve \(error.host): \(dns)"
            }
            return "could not connect to \(error.host):\(error.port)"
        case let error as ChannelError:
            if case .connectTimeout = error {
                return "no answer within \(location.connectTimeoutSeconds) s (connect_timeout)"
            }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case let error as NIOSSLError:
            return "TLS failed: \(error)"
        case let error as BoringSSLError:
            return "TLS failed: \(error)"
        case let error as NIOSSLExtraError:
            return "TLS failed: \(error)"
        case let error as PSQLError:
            return classify(error, location: location, phase: .connect).1
        default:
            return "\(error)"
        }
    }
}
