import TrailIngest

/// Where the bytes of files that are not on the local file system come from (S3 objects), so
/// that they flow through the same pipeline as local files.
///
/// A remote file's ledger identity is known before it is fetched (for S3: bucket and key in the
/// path, the listed size, and a fingerprint made from the ETag), so a file already done costs no
/// download.
public protocol RemoteFiles: Sendable {
    /// The ledger fingerprint of `file` as known without fetching it; nil when `file` is local.
    func fingerprint(of file: DiscoveredFile) -> String?
    /// The file's bytes as stored (still compressed when it is gzip); a body longer than
    /// `maxBytes` is refused while it is read (`.tooLarge`), never held whole.
    func fetch(_ file: DiscoveredFile, maxBytes: Int) async throws(IngestError) -> [UInt8]
}

extension FileProcessor {
    /// Processes `file`, fetching it from `remote` when it is a remote file and the ledger does
    /// not already hold it; local files go through `process(_:)`.
    /// `admission`: as for ``process(_:admission:)``.
    public func process(_ file: DiscoveredFile, remote: (any RemoteFiles)?, admission: FileAdmission? = nil) async -> ProcessedFile {
        guard let remote, let fingerprint = remote.fingerprint(of: file) else { return process(file, admission: admission) }
        if isDone(file, size: file.size, fingerprint: fingerprint, admission: admission) {
            return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .alreadyDone)
        }
        if let gate = claimGate(file, fingerprint: fingerprint, size: file.size, admission: admission) { return gate }
        // As for local files: an object listed larger than --max-file-size is refused before any GET.
        if file.size > Int64(maxFileBytes) {
            let reason = "\(file.path): object is \(file.size) bytes, more than the limit of \(maxFileBytes) bytes (--max-file-size)"
            return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .failed(reason: reason, incomplete: false))
        }
        do {
            let raw = try await remote.fetch(file, maxBytes: maxFileBytes)
            if Gunzip.isGzip(raw) {
                let bytes = try Gunzip.inflate(raw, path: file.path, maxBytes: maxFileBytes)
                return process(file, content: FileContent(bytes: bytes, compressedSize: Int64(raw.count), fingerprint: fingerprint, wasGzip: true))
            }
            return process(file, content: FileContent(bytes: raw, compressedSize: Int64(raw.count), fingerprint: fingerprint, wasGzip: false))
        } catch {
            return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .failed(reason: "\(error)", incomplete: false))
        }
    }
}
