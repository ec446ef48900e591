import TrailIngest
import TrailModel
import TrailStore

extension FileProcessor {
    /// Whether the ledger holds `file` as done at this size and fingerprint, from `admission`'s
    /// row when there is one (else the store is asked). A claim taken ahead for a file that
    /// turns out done is given back.
    func isDone(_ file: DiscoveredFile, size: Int64, fingerprint: String, admission: FileAdmission?) -> Bool {
        let entry = admission.map(\.ledger) ?? (try? store.ledgerEntry(path: file.path))
        guard FileAdmission.isDone(entry, size: size, fingerprint: fingerprint) else { return false }
        if admission?.claim == .granted { try? claims?.release([file.path]) }
        return true
    }

    /// The ledger row, from `admission`, of a file another worker of this run committed at the
    /// size listed (see ``peerCommitsSince``); a claim taken ahead for it is given back.
    func committedInThisRun(_ file: DiscoveredFile, admission: FileAdmission?) -> FileLedgerEntry? {
        guard let since = peerCommitsSince, let admission else { return nil }
        let granted = admission.claim == .granted
        guard let entry = granted ? admission.ledgerOnceClaimed : admission.ledger,
              entry.status != .failed, entry.size == file.size, entry.ingestedAt >= since else { return nil }
        if granted { try? claims?.release([file.path]) }
        return entry
    }

    /// With ``claims`` set: claims `file` before anything about it is read further or committed
    /// (or takes the answer of the claim `admission` took ahead). Nil when this worker holds the
    /// claim now (or claims are off) and may go on; otherwise the file's outcome: claimed by
    /// another worker, committed by another worker meanwhile (the ledger is looked at again
    /// once the claim is held), or failed when the store could not be asked (incomplete, so
    /// `tail` tries again; a commit without the claim is refused anyway).
    func claimGate(_ file: DiscoveredFile, fingerprint: String, size: Int64, admission: FileAdmission? = nil) -> ProcessedFile? {
        guard let claims else { return nil }
        do {
            let answer: ClaimResult
            let ledgerOnceClaimed: () -> FileLedgerEntry?
            if let admission, let claimed = admission.claim {
                answer = claimed
                ledgerOnceClaimed = { admission.ledgerOnceClaimed }
            } else {
                answer = try claims.claim(file.path)
                ledgerOnceClaimed = { try? store.ledgerEntry(path: file.path) }
            }
            switch answer {
            case .granted:
                // Another worker may have committed the file (consuming its claim) between our
                // ledger check and our claim: the ledger has it then.
                if FileAdmission.isDone(ledgerOnceClaimed(), size: size, fingerprint: fingerprint) {
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
