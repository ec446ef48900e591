import Dispatch
import Synchronization
import TrailSync
import TrailIngest

/// Verifies CloudTrail trees on disk: finds log files, digests and signature sidecars under the
/// given paths, hashes every log file once (streamed, on `jobs` threads), reads the digests and
/// runs ``ChainAnalysis``.
public struct TreeVerifier: Sendable {
    public var keys: PublicKeyRing
    /// Threads hashing log files.
    public var jobs: Int
    /// The largest digest or sidecar read (decompressed), against hostile files.
    public var maxDigestBytes: Int

    public init(keys: PublicKeyRing, jobs: Int, maxDigestBytes: Int = 64 << 20) {
        self.keys = keys
        self.jobs = max(1, jobs)
        self.maxDigestBytes = maxDigestBytes
    }

    /// Verifies everything under `paths` (files or directories, walked recursively).
    /// - Throws: `VerifyError` when a PATH cannot be walked.
    public func verify(paths: [String]) throws(VerifyError) -> VerificationReport {
        let files: [DiscoveredFile]
        do {
            files = try ArchiveWalker.files(in: paths)
        } catch {
            throw VerifyError(path: error.path, code: .unreadable, reason: error.reason)
        }
        var logNames: [(String, TrailObjectName)] = []
        var digestNames: [(String, TrailObjectName)] = []
        var sidecars: [String: String] = [:]
        var other = 0
        for f in files {
            guard let name = TrailObjectName.parse(f.path) else { other += 1; continue }
            switch name.kind {
            case .log: logNames.append((f.path, name))
            case .digest: digestNames.append((f.path, name))
            case .signatureSidecar: sidecars[name.key] = f.path
            }
        }
        let logs = hashLogs(logNames)
        var digests: [DigestInput] = []
        var unreadable: [(name: TrailObjectName, error: VerifyError)] = []
        for (path, name) in digestNames {
            do {
                digests.append(try readDigest(path: path, name: name, sidecar: sidecars[name.key]))
            } catch {
                unreadable.append((name, error))
            }
        }
        let analysis = ChainAnalysis(digests: digests, unreadableDigests: unreadable, logs: logs, keys: keys)
        let result = analysis.run()
        return VerificationReport(
            findings: result.findings, spans: result.spans, logFiles: logs.count, digestFiles: digestNames.count,
            sidecarFiles: sidecars.count, otherFiles: other, logsOutsideChains: result.logsOutsideChains)
    }

    /// Reads one digest, its SHA-256 and its sidecar's signature.
    public func readDigest(path: String, name: TrailObjectName, sidecar: String?) throws(VerifyError) -> DigestInput {
        let content: FileContent
        do {
            content = try FileReader.read(path: path, maxBytes: maxDigestBytes)
        } catch {
            throw VerifyError(path: path, code: error.code == .corrupt || error.code == .truncated ? .corruptGzip : .unreadable,
                              byteOffset: error.byteOffset, reason: error.reason)
        }
        let sha = Hex.encode(SHA256Digest.of(content.bytes))
        let record = try DigestRecord(json: content.bytes, path: path)
        var signature: String? = nil
        if let sidecar {
            let raw: [UInt8]
            do {
                raw = try FileReader.readRaw(path: sidecar, maxBytes: 1 << 20)
            } catch {
                throw VerifyError(path: sidecar, code: .unreadable, reason: error.reason)
            }
            signature = try SignatureSidecar.signature(json: raw, path: sidecar)
        }
        return DigestInput(path: path, name: name, record: record, sha256: sha, sidecarSignature: signature)
    }

    /// Hashes log files on `jobs` threads, each with its own buffers; results in input order.
    func hashLogs(_ names: [(String, TrailObjectName)]) -> [LogInput] {
        let next = Mutex(0)
        let results = Mutex([Result<String, VerifyError>?](repeating: nil, count: names.count))
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, names.count))) { _ in
            var hasher = ContentHasher()
            while true {
                let i = next.locked { n in
                    defer { n += 1 }
                    return n
                }
                guard i < names.count else { break }
                let r: Result<String, VerifyError>
                do throws(VerifyError) {
                    r = .success(try hasher.hash(path: names[i].0).sha256)
                } catch {
                    r = .failure(error)
                }
                results.locked { $0[i] = r }
            }
        }
        let hashed = results.locked { $0 }
        return names.indices.map { LogInput(path: names[$0].0, name: names[$0].1, sha256: hashed[$0]!) }
    }
}
