extension AuditEvent {
    /// The event with every U+0000 in its strings replaced by U+FFFD.
    ///
    /// CloudTrail never sends a NUL character, but a forged record can spell one (`\u0000`) in
    /// any string. PostgreSQL's `text` cannot hold it (a commit holding one fails whole), so the
    /// normaliser stores the same visible replacement on both engines. Most events hold none and
    /// are returned unchanged.
    public func replacingNULCharacters() -> AuditEvent {
        var e = self
        var changed = false
        func fix(_ s: inout String) {
            guard s.utf8.contains(0) else { return }
            s = s.replacingNULCharacters()
            changed = true
        }
        func fix(_ s: inout String?) {
            guard var value = s, value.utf8.contains(0) else { return }
            fix(&value)
            s = value
        }
        fix(&e.eventID); fix(&e.eventSource); fix(&e.eventName); fix(&e.eventType); fix(&e.region); fix(&e.account)
        fix(&e.sourceIPAddress); fix(&e.userAgent); fix(&e.errorCode); fix(&e.errorMessage)
        fix(&e.principal.type); fix(&e.principal.id); fix(&e.principal.session); fix(&e.principal.accountId)
        for i in e.secrets.indices {
            fix(&e.secrets[i].id); fix(&e.secrets[i].name); fix(&e.secrets[i].account); fix(&e.secrets[i].region)
        }
        for i in e.details.kmsKeys.indices { fix(&e.details.kmsKeys[i]) }
        fix(&e.details.policy)
        if var filters = e.details.batchFilters {
            for i in filters.indices {
                fix(&filters[i].key)
                for j in filters[i].values.indices { fix(&filters[i].values[j]) }
            }
            e.details.batchFilters = filters
        }
        return changed ? e : self
    }
}

extension String {
    /// The string with every U+0000 replaced by U+FFFD (itself when it holds none): what the
    /// stores keep for a NUL character, which PostgreSQL's `text` cannot hold.
    public func replacingNULCharacters() -> String {
        guard utf8.contains(0) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}
