import FuzzSupport
import TrailDecode
import TrailDetect
import TrailModel

/// Time and duration parsing on arbitrary text: `EventTimeParser` (CloudTrail's `eventTime`) and
/// `ISODuration` (rule windows). What parses must print and parse back to the same value.
@main enum FuzzTimeMain {
    static func main() { FuzzDriver.run(fuzzTime) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTime(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    if let time = EventTimeParser.parse(bytes: bytes) {
        let text = time.iso8601
        _ = time.dateString
        let year = CivilDate.fromDays(time.milliseconds / 86_400_000).0
        // Printed years outside 0000...9999 are not four digits; the parser rightly refuses them.
        if (1...9998).contains(year) {
            guard let again = EventTimeParser.parse(text) else { FuzzInput.violated("\(text) does not parse back") }
            if again != time { FuzzInput.violated("\(text) parses back to \(again.milliseconds), not \(time.milliseconds)") }
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let duration = ISODuration.parse(text) {
        if duration.milliseconds < 0 { FuzzInput.violated("negative duration from \(text)") }
        _ = ISODuration.words(duration)
        let canonical = ISODuration.format(duration)
        guard let again = ISODuration.parse(canonical) else { FuzzInput.violated("\(canonical) does not parse back") }
        if again != duration { FuzzInput.violated("\(canonical) parses back to \(again.milliseconds) ms, not \(duration.milliseconds)") }
    }
    return 0
}
