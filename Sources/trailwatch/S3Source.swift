import Foundation
import TrailAWS
import TrailIngest
import TrailPipeline

/// The `s3://` sources of one run: the client (credentials, region, endpoint), the planned
/// objects, and the `RemoteFiles` the pipeline fetches them through.
final class S3Source: RemoteFiles {
    let transport: AsyncHTTPTransport
    let client: S3Client
    let slots: AsyncSlots
    /// Listed identity of each planned object, by its `s3://bucket/key` path.
    private var objects: [String: (bucket: String, key: String, etag: String)] = [:]

    init(options: S3Options, environment: AWSEnvironment = .process()) throws(AWSError) {
        let endpointText = options.endpointURL ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
        let endpoint = try endpointText.map { (text: String) throws(AWSError) -> Endpoint in try Endpoint(text, what: "--endpoint-url") }
        transport = AsyncHTTPTransport()
        let region = (try? AWSRegion.resolve(environment)) ?? nil
        client = S3Client(transport: transport, credentials: CredentialChain.standard(environment: environment, transport: transport),
                          region: region ?? "us-east-1", endpoint: endpoint, now: environment.now)
        slots = AsyncSlots(options.downloads)
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
                let path = location.url(forKey: object.key)
                if objects[path] == nil { files.append(DiscoveredFile(path: path, size: object.size)) }
                objects[path] = (location.bucket, object.key, object.etag)
            }
        }
        return (files, problems)
    }

    /// Closes the HTTP client.
    func shutdown() async { await transport.shutdown() }

    // MARK: RemoteFiles (read-only after planning)

    func fingerprint(of file: DiscoveredFile) -> String? {
        objects[file.path].map { "s3etag:" + $0.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }

    func fetch(_ file: DiscoveredFile) async throws(IngestError) -> [UInt8] {
        guard let object = objects[file.path] else {
            throw IngestError(path: file.path, reason: "not a planned S3 object", code: .notFound)
        }
        await slots.acquire()
        defer { slots.release() }
        do {
            return try await client.getObject(bucket: object.bucket, key: object.key, etag: object.etag.isEmpty ? nil : object.etag,
                                              expectedSize: file.size, maxBytes: Int(min(file.size, Int64(Int32.max)))).bytes
        } catch {
            throw IngestError(path: file.path, reason: error.description, code: error.code == .noSuchKey ? .notFound : .unreadable)
        }
    }
}

/// `objects` is written only by `plan`, before the pipeline starts reading it.
extension S3Source: @unchecked Sendable {}
