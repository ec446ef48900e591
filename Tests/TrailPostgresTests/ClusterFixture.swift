import TrailPostgres
import TrailStore
import TrailTestSupport

/// A fresh database on the process's test cluster, and a session on it.
struct ClusterFixture {
    let cluster: PostgresTestCluster
    let url: String
    let name: String
    let session: PostgresSession

    init(_ prefix: String, limits: PostgresResultLimits = PostgresResultLimits()) throws {
        cluster = try PostgresTestCluster.shared()
        (url, name) = try cluster.makeDatabase(prefix: prefix)
        session = PostgresSession(location: try PostgresLocation(parsing: url, environment: [:]), limits: limits)
    }

    /// A location on this database with the URL's query replaced by `query`, over `host`.
    func location(host: String = "127.0.0.1", password: String? = nil, query: String) throws -> PostgresLocation {
        let secret = password ?? cluster.password
        return try PostgresLocation(parsing: "postgres://\(PostgresTestCluster.user):\(secret)@\(host):\(cluster.port)/\(name)?\(query)", environment: [:])
    }
}
