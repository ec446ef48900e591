import TrailIngest
import TrailModel
import TrailStore

/// What the store said about a file before it was read, asked for a batch of files at once:
/// a shared store then costs a few round trips per batch instead of two or three per file
/// (its ledger row, the claim, the ledger again once the claim is held).
///
/// ``FileProcessor`` decides with it exactly as it would have with its own look-ups: whether
/// the file is done already, and with claims, whether this worker may read it.
public struct FileAdmission: Sendable, Equatable {
    /// The file's ledger row before any claim (nil: never seen).
    public var ledger: FileLedgerEntry?
    /// With claims, for a file the ledger did not hold as done at the listed size: the claim's
    /// answer. Nil: not claimed ahead (the processor claims the file itself if it must).
    public var claim: ClaimResult?
    /// When the claim was granted: the ledger row read after the claim was held (another worker
    /// may have committed the file between the first look and the claim).
    public var ledgerOnceClaimed: FileLedgerEntry?

    public init(ledger: FileLedgerEntry?, claim: ClaimResult? = nil, ledgerOnceClaimed: FileLedgerEntry? = nil) {
        self.ledger = ledger
        self.claim = claim
        self.ledgerOnceClaimed = ledgerOnceClaimed
    }

    /// Whether `entry` says the file with this size and fingerprint is done.
    static func isDone(_ entry: FileLedgerEntry?, size: Int64, fingerprint: String) -> Bool {
        guard let entry else { return false }
        return entry.status != .failed && entry.size == size && entry.fingerprint == fingerprint
    }
}

extension FileProcessor {
    /// Admissions for `files`, in their order: their ledger rows in one look-up, then with
    /// claims, one batch claim of those the ledger does not hold as done at their listed size,
    /// and one look-up of the ledger for those granted.
    ///
    /// Nil when the store could not be asked: each file then asks for itself (and reports the
    /// failure if it persists). A claim batch that fails leaves the files unclaimed here.
    public func admissions(for files: [DiscoveredFile]) -> [FileAdmission]? {
        admissions(for: files, beforeClaiming: {})
    }

    /// `beforeClaiming` runs between the first look at the ledger and the claim (tests commit a
    /// file from another worker there).
    func admissions(for files: [DiscoveredFile], beforeClaiming: () -> Void) -> [FileAdmission]? {
        guard let entries = try? store.ledgerEntries(paths: files.map(\.path)) else { return nil }
        var admissions = files.map { FileAdmission(ledger: entries[PathKey($0.path)]) }
        guard let claims else { return admissions }
        // A file whose row is done at the size listed is almost surely done (the fingerprint is
        // checked once it is read); the rest are claimed now.
        let toClaim = files.indices.filter { i in
            guard let entry = admissions[i].ledger else { return true }
            return entry.status == .failed || entry.size != files[i].size
        }
        guard !toClaim.isEmpty else { return admissions }
        beforeClaiming()
        guard let answers = try? claims.claim(toClaim.map { files[$0].path }) else { return admissions }
        for (i, answer) in zip(toClaim, answers) { admissions[i].claim = answer }
        let granted = toClaim.filter { admissions[$0].claim == .granted }
        guard !granted.isEmpty else { return admissions }
        guard let after = try? store.ledgerEntries(paths: granted.map { files[$0].path }) else {
            // Unknown whether another worker committed them meanwhile: give them back and let
            // each file claim for itself.
            try? claims.release(granted.map { files[$0].path })
            for i in granted { admissions[i].claim = nil }
            return admissions
        }
        for i in granted { admissions[i].ledgerOnceClaimed = after[PathKey(files[i].path)] }
        return admissions
    }
}
