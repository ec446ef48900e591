import Foundation
import TrailAWS
import TrailIngest
import TrailVerify

/// `verify s3://…`: lists the log and digest prefixes (digests are listed only here), downloads
/// every object `--downloads` at a time, hashes logs and reads digests in memory (each object's
/// memory released once its small input is made), and runs the same chain analysis as for a
/// local tree. A digest's signature comes from its object metadata (`x-amz-meta-signature`),
/// as CloudTrail stores it.
enum S3Verify {
    private enum Input: Sendable {
        case log(LogInput)
        case digest(DigestInput)
        case unreadableDigest(TrailObjectName, VerifyError)
    }

    /// The report for `locations`, and the prefixes that could not be listed.
    static func report(_ locations: [S3Location], verifier: TreeVerifier, options: S3Options) async throws(AWSError) -> (VerificationReport, [AWSError]) {
        let source = try S3Source(options: options.access)
        do {
            let result = try await report(locations, verifier: verifier, options: options, source: source)
            await source.shutdown()
            return result
        } catch {
            await source.shutdown()
            throw error
        }
    }

    private static func report(_ locations: [S3Location], verifier: TreeVerifier, options: S3Options,
                               source: S3Source) async throws(AWSError) -> (VerificationReport, [AWSError]) {
        var planner = CloudTrailS3Planner(client: source.client, since: options.sinceDate, until: options.untilDate,
                                          accounts: options.accountSet, regions: options.regionSet)
        planner.includeDigests = true
        var objects: [(S3Source.Object, TrailObjectName)] = []
        var problems: [AWSError] = []
        var other = 0
        for location in locations {
            let plan = try await planner.plan(location)
            problems += plan.problems
            for listed in plan.objects {
                let object = S3Source.Object(bucket: location.bucket, key: listed.key, size: listed.size, etag: listed.etag)
                guard let name = TrailObjectName.parse(object.path), name.kind != .signatureSidecar else { other += 1; continue }
                objects.append((object, name))
            }
        }
        let client = source.client
        let parallel = max(1, options.access.downloads)
        var inputs = [Input?](repeating: nil, count: objects.count)
        await withTaskGroup(of: (Int, Input).self) { group in
            var next = 0
            func launch() {
                let index = next
                let (object, name) = objects[index]
                next += 1
                group.addTask {
                    let fetched: Result<S3ObjectContent, AWSError>
                    do throws(AWSError) {
                        fetched = .success(try await client.getObject(bucket: object.bucket, key: object.key, etag: object.etag.isEmpty ? nil : object.etag,
                                                                       expectedSize: object.size, maxBytes: Int(min(object.size, Int64(Int32.max)))))
                    } catch {
                        fetched = .failure(error)
                    }
                    let unreadable = { (error: AWSError) in VerifyError(path: object.path, code: .unreadable, reason: error.description) }
                    if name.kind == .log {
                        return (index, .log(verifier.logInput(path: object.path, name: name, stored: fetched.map(\.bytes).mapError(unreadable))))
                    }
                    do throws(VerifyError) {
                        let content = try fetched.mapError(unreadable).get()
                        return (index, .digest(try verifier.digestInput(path: object.path, name: name, stored: content.bytes,
                                                                        signature: content.metadata["signature"])))
                    } catch {
                        return (index, .unreadableDigest(name, error))
                    }
                }
            }
            while next < objects.count && next < parallel { launch() }
            while let (index, input) = await group.next() {
                inputs[index] = input
                if next < objects.count { launch() }
            }
        }
        var logs: [LogInput] = []
        var digests: [DigestInput] = []
        var unreadable: [(name: TrailObjectName, error: VerifyError)] = []
        for input in inputs.compactMap({ $0 }) {
            switch input {
            case let .log(log): logs.append(log)
            case let .digest(digest): digests.append(digest)
            case let .unreadableDigest(name, error): unreadable.append((name, error))
            }
        }
        return (verifier.analyse(logs: logs, digests: digests, unreadableDigests: unreadable, otherFiles: other), problems)
    }
}
