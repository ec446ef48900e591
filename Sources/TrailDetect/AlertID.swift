/// Stable alert identities: the same rule and event always give the same id, so re-running over
/// an archive never yields a second alert for the same thing.
public enum AlertID {
    /// 16 lowercase hex digits of the 64-bit FNV-1a hash of `rule`, a NUL byte and `eventID`.
    public static func make(rule: String, eventID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for b in rule.utf8 { mix(b) }
        mix(0)
        for b in eventID.utf8 { mix(b) }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
