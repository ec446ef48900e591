/// The recovery window of a `DeleteSecret`, or the pending window of a KMS `ScheduleKeyDeletion`,
/// as AWS allows it.
///
/// For both, AWS accepts 7 to 30 days (30 when the request names none) and rejects any other value, so a
/// successful record with a window outside that range is forged or malformed. Such a window is
/// taken as 7 days, the soonest deletion AWS allows: an impossible value can neither postpone a
/// deletion date past every check nor move it into the past.
public enum RecoveryWindow {
    public static let accepted: ClosedRange<Int> = 7...30
    public static let defaultDays = 30

    /// The window that dates the deletion.
    public static func effectiveDays(_ recorded: Int?) -> Int {
        guard let recorded else { return defaultDays }
        return accepted.contains(recorded) ? recorded : accepted.lowerBound
    }

    /// Whether a recorded window is one AWS would not have accepted.
    public static func isImpossible(_ recorded: Int?) -> Bool {
        recorded.map { !accepted.contains($0) } ?? false
    }
}
