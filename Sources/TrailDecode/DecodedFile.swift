/// The outcome of decoding one file: its format, the valid records in file order, the invalid
/// ones, and why the file was skipped when it holds no records by nature (digest, Insight, not
/// CloudTrail, empty).
public struct DecodedFile: Sendable {
    public var format: InputFormat
    /// Records with an `eventID` and a valid `eventTime`, in file order.
    public var records: [DecodedRecord]
    /// Records that were found but cannot be used, in file order.
    public var invalid: [InvalidRecord]
    /// Set when the file is skipped as a whole: a digest, an Insight file, non-CloudTrail JSON,
    /// or empty input. `records` is then empty.
    public var skipReason: String?

    public init(format: InputFormat, records: [DecodedRecord] = [], invalid: [InvalidRecord] = [], skipReason: String? = nil) {
        self.format = format
        self.records = records
        self.invalid = invalid
        self.skipReason = skipReason
    }
}
