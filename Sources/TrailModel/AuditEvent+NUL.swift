#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditEvent {
    /// The event with every U+0000 in its strings replaced by U+FFFD.
    ///
    /// CloudTrail never sends a NUL character, but a forged record can spell one (`\u0000`) in
    /// any string. PostgreSQL's `text` cannot hold it (a commit holding one fails whole), so the
    /// normaliser stores the same visible replacement on both engines. Most events hold none and
    /// are returned unchanged, after a scan that only reads (no copy of the event or its arrays).
    public func replacingNULCharacters() -> AuditEvent {
        guard containsNULCharacter else { return self }
        var e = self
        func fix(_ s: inout String) { s = s.replacingNULCharacters() }
        func fix(_ s: inout String?) { s = s?.replacingNULCharacters() }
        fix(&e.eventID); fix(&e.eventSource); fix(&e.eventName); fix(&e.eventType); fix(&e.region); fix(&e.account)
        fix(&e.sourceIPAddress); fix(&e.userAgent); fix(&e.errorCode); fix(&e.errorMessage)
        fix(&e.principal.type); fix(&e.principal.id); fix(&e.principal.session); fix(&e.principal.accountId)
        e.secrets = e.secrets.map {
            SecretRef(id: $0.id.replacingNULCharacters(), name: $0.name.replacingNULCharacters(),
                      account: $0.account.replacingNULCharacters(), region: $0.region.replacingNULCharacters(),
                      isFullARN: $0.isFullARN)
        }
        e.details.kmsKeys = e.details.kmsKeys.map { $0.replacingNULCharacters() }
        fix(&e.details.policy)
        e.details.batchFilters = e.details.batchFilters?.map {
            BatchFilter(key: $0.key.replacingNULCharacters(), values: $0.values.map { $0.replacingNULCharacters() })
        }
        return e
    }

    /// Whether any string of the event holds U+0000 (read only).
    private var containsNULCharacter: Bool {
        func nul(_ s: String) -> Bool { s.holdsNULCharacter }
        func nul(_ s: String?) -> Bool { s.map(nul) ?? false }
        if nul(eventID) || nul(eventSource) || nul(eventName) || nul(eventType) || nul(region) || nul(account) { return true }
        if nul(sourceIPAddress) || nul(userAgent) || nul(errorCode) || nul(errorMessage) { return true }
        if nul(principal.type) || nul(principal.id) || nul(principal.session) || nul(principal.accountId) { return true }
        if secrets.contains(where: { nul($0.id) || nul($0.name) || nul($0.account) || nul($0.region) }) { return true }
        if details.kmsKeys.contains(where: nul) || nul(details.policy) { return true }
        return details.batchFilters?.contains(where: { nul($0.key) || $0.values.contains(where: nul) }) ?? false
    }
}

extension String {
    /// Whether the string holds U+0000: `memchr` over its UTF-8 bytes (native strings are
    /// contiguous), a byte-by-byte walk otherwise.
    var holdsNULCharacter: Bool {
        utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return memchr(base, 0, bytes.count) != nil
        } ?? utf8.contains(0)
    }

    /// The string with every U+0000 replaced by U+FFFD (itself when it holds none): what the
    /// stores keep for a NUL character, which PostgreSQL's `text` cannot hold.
    public func replacingNULCharacters() -> String {
        guard holdsNULCharacter else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}
