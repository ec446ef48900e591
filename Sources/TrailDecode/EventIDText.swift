import TrailJSON

/// Whether an `eventID` can serve as an identity.
///
/// Ids are compared as Swift strings, which would turn invalid UTF-8 and unpaired surrogate
/// escapes into U+FFFD, so two different ids could collapse into one and the second record be
/// dropped as a duplicate. Such an id is refused instead: its record is invalid, reported with
/// its location.
enum EventIDText {
    static let invalidReason = "eventID is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape)"

    /// True when the string at node `i` is valid Unicode (always true for plain ASCII).
    static func isValid(_ t: Tape, _ i: Int) -> Bool {
        if let raw = t.plainBytes(i), raw.allSatisfy({ $0 < 0x80 }) { return true }
        return t.value(i).validatedString != nil
    }
}
