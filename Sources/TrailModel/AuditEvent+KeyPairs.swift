extension AuditEvent {
    /// The KMS keys the store records as used with each of the event's secrets (`secret_keys`):
    /// every key when the event names at most one secret or at most one key; none when it names
    /// several of each, where which key goes with which secret is not said (and a hostile record
    /// naming n of each would otherwise store n × n rows: 16 million from a 0.76 MB record).
    public var keysPairedWithSecrets: [String] {
        secrets.count <= 1 || details.kmsKeys.count <= 1 ? details.kmsKeys : []
    }
}
