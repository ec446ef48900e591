import Foundation
import Synchronization
import TrailSync
import TrailAWS
import TrailIngest
import TrailPipeline

/// The `s3://` sources of one run: the client (credentials, region, endpoint), the objects
/// known so far, and the `RemoteFiles` the pipeline fetches them through.
final class S3Source: RemoteFiles {
    /// An object's listed identity.
    struct Object: Sendable, Hashable {
        var bucket: String
        var key: String
        var size: Int64
        /// As listed, with its quotes.
        var etag: String

        var path: String { "s3://\(bucket)/\(key)" }
    }

    let transport: AsyncHTTPTransport
    let client: S3Client
    let slots: AsyncSlots
    /// The endpoint override, for other services (SQS) on the same stand-in.
    let endpointOverride: (s3: Endpoint?, sqs: Endpoint?)
    /// Identity of each known object, by its `s3://bucket/key` path. `tail` registers objects
    /// between pipeline runs and forgets them once handled; runs only read.
    private let objects = Mutex<[String: Object]>([:])

    init(options: S3AccessOptions, environment: AWSEnvironment = .process()) throws(AWSError) {
        let endpoint = try Self.endpoint(options.endpointURL ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"])
        endpointOverride = (endpoint, try Self.endpoint(options.endpointURL ?? environment["AWS_ENDPOINT_URL_SQS"] ?? environment["AWS_ENDPOINT_URL"]))
        transport = AsyncHTTPTransport()
        let region = (try? AWSRegion.resolve(environment)) ?? nil
        client = S3Client(transport: transport, credentials: CredentialChain.standard(environment: environment, transport: transport),
                          region: region ?? "us-east-1", endpoint: endpoint, now: environment.now)
        slots = AsyncSlots(options.downloads)
    }

    private static func endpoint(_ text: String?) throws(AWSError) -> Endpoint? {
        guard let text else { return nil }
        return try Endpoint(text, what: "--endpoint-url")
    }

    /// Plans every location; returns the files to read and the prefixes that failed
    /// (AccessDenied), and throws for a missing bucket, missing credentials and the like.
    func plan(_ locations: [S3Location], options: S3Options) async throws(AWSError) -> (files: [DiscoveredFile], problems: [AWSError]) {
        var files: [DiscoveredFile] = []
        var problems: [AWSError] = []
        let planner = CloudTrailS3Planner(client: client, since: options.sinceDate, until: options.untilDate,
                                          accounts: options.accountSet, regions: options.regionSet)
        for location in locations {
            let plan = try await planner.plan(location)
            problems += plan.problems
            for object in plan.objects {
                let known = Object(bucket: location.bucket, key: object.key, size: object.size, etag: object.etag)
                let isNew = objects.locked { objects in
                    defer { objects[known.path] = known }
                    return objects[known.path] == nil
                }
                if isNew { files.append(DiscoveredFile(path: known.path, size: object.size)) }
            }
        }
        return (files, problems)
    }

    /// Makes `object` fetchable by the pipeline; returns the file to hand it.
    func register(_ object: Object) -> DiscoveredFile {
        objects.locked { $0[object.path] = object }
        return DiscoveredFile(path: object.path, size: object.size)
    }

    /// Forgets objects once handled (tail keeps only what is in hand).
    func forget(_ paths: some Sequence<String>) {
        objects.locked { objects in
            for path in paths { objects[path] = nil }
        }
    }

    /// Closes the HTTP client.
    func shutdown() async { await transport.shutdown() }

    // MARK: RemoteFiles

    func fingerprint(of file: DiscoveredFile) -> String? {
        objects.locked { $0[file.path] }.map { Self.fingerprint(etag: $0.etag) }
    }

    /// The ledger fingerprint of an object with this ETag (quotes or not).
    static func fingerprint(etag: String) -> String {
        "s3etag:" + etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    func fetch(_ file: DiscoveredFile, maxBytes: Int) async throws(IngestError) -> [UInt8] {
        guard let object = objects.locked({ $0[file.path] }) else {
            throw IngestError(path: file.path, reason: "not a planned S3 object", code: .notFound)
        }
        await slots.acquire()
        defer { slots.release() }
        do {
            return try await client.getObject(bucket: object.bucket, key: object.key, etag: object.etag.isEmpty ? nil : object.etag,
                                              expectedSize: file.size, maxBytes: Int(min(file.size, Int64(maxBytes)))).bytes
        } catch {
            throw IngestError(path: file.path, reason: error.description, code: error.code == .noSuchKey ? .notFound : error.code == .tooLarge ? .tooLarge : .unreadable)
        }
    }
}
