/// The running totals of one (secret, principal, event name) over the events of a commit group,
/// as both engines' insert paths add them to `usage`: first and last seen, the newest call
/// without an error, calls and errors.
package struct UsageTotals {
    package var first: Int64
    package var last: Int64
    package var lastOK: Int64?
    package var count: Int64
    package var errors: Int64

    /// The totals of one call at `time`.
    package init(time: Int64, failed: Bool) {
        first = time
        last = time
        lastOK = failed ? nil : time
        count = 1
        errors = failed ? 1 : 0
    }

    /// Adds one call at `time`.
    package mutating func add(time: Int64, failed: Bool) {
        first = min(first, time)
        last = max(last, time)
        if !failed { lastOK = max(lastOK ?? time, time) }
        count += 1
        if failed { errors += 1 }
    }
}
