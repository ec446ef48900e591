import NIOSSL
import PostgresNIO
import TrailStore

/// PostgresNIO's TLS setting for a location's `sslmode`.
enum PostgresTLS {
    /// `disable`: none. `require`: encrypted, the certificate not checked (libpq's `require`).
    /// `verify-full`: the chain checked against `sslrootcert` (or the system's roots) and the
    /// certificate checked against the host name (or the IP address connected to).
    static func configuration(for location: PostgresLocation) throws(StoreError) -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch location.tlsMode {
        case .disable:
            return .disable
        case .require:
            tls.certificateVerification = .none
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let path = location.rootCertificatePath {
                let certificates: [NIOSSLCertificate]
                do {
                    certificates = try NIOSSLCertificate.fromPEMFile(path)
                } catch {
                    throw StoreError(.invalidArgument, path: location.redacted, operation: "connect",
                                     message: "sslrootcert \(path) could not be read as PEM certificates: \(error)")
                }
                guard !certificates.isEmpty else {
                    throw StoreError(.invalidArgument, path: location.redacted, operation: "connect",
                                     message: "sslrootcert \(path) holds no PEM certificate")
                }
                tls.trustRoots = .certificates(certificates)
            } else {
                tls.trustRoots = .default
            }
        }
        do {
            return .require(try NIOSSLContext(configuration: tls))
        } catch {
            throw StoreError(.invalidArgument, path: location.redacted, operation: "connect", message: "TLS could not be set up: \(error)")
        }
    }
}
