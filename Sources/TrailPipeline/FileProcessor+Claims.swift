import TrailIngest
import TrailModel
import TrailStore

extension FileProcessor {
    /// With ``claims`` set: claims `file` before anything about it is read further or committed.
    /// Nil when this worker holds the claim now (or claims are off) and may go on; otherwise the
    /// file's outcome: claimed by another worker, committed by another worker meanwhile (the
    /// ledger is looked at again once the claim is held), or failed when the store could not
    /// be asked (incomplete, so `tail` tries again; a commit without the claim is refused anyway).
    func claimGate(_ file: DiscoveredFile, fingerprint: String, size: Int64) -> ProcessedFile? {
        guard let claims else { return nil }
        do {
            switch try claims.claim(file.path) {
            case .granted:
                // Another worker may have committed the file (consuming its claim) between our
                // ledger check and our claim: the ledger has it then.
                if let entry = try? store.ledgerEntry(path: file.path),
                   entry.status != .failed, entry.size == size, entry.fingerprint == fingerprint {
                    try? claims.release([file.path])
                    return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .alreadyDone)
                }
                return nil
            case let .held(worker, until):
                return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .claimedElsewhere(worker: worker, until: until))
            }
        } catch {
            return ProcessedFile(file: file, fingerprint: fingerprint, outcome: .failed(
                reason: "\(file.path): could not claim the file: \(error)", incomplete: true))
        }
    }
}
