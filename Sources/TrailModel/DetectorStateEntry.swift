/// One entry of detector state, as the store keeps it.
///
/// Detectors describe their state as small keyed entries so that a file's changes commit in the
/// same transaction as its records, and a restart (or a later `tail`) restores them.
public struct DetectorStateEntry: Sendable, Hashable, Codable {
    /// Which detector owns the entry, e.g. `first-seen:unusual-secret-reader`.
    public var namespace: String
    /// The entry's key within the namespace, e.g. a secret id and principal id.
    public var key: String
    /// The entry's value, as compact JSON text; nil deletes the entry.
    public var value: String?

    public init(namespace: String, key: String, value: String?) {
        self.namespace = namespace
        self.key = key
        self.value = value
    }
}
