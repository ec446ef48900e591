/// Where a record came from: the file, the record's index within it and its byte offset in the
/// decompressed content. Used in every diagnostic so a person can find the record again.
public struct RecordLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file path as given or discovered.
    public var path: String
    /// Zero-based index of the record within the file.
    public var recordIndex: Int
    /// Byte offset of the record's first byte in the decompressed file content.
    public var byteOffset: Int

    public init(path: String, recordIndex: Int, byteOffset: Int) {
        self.path = path
        self.recordIndex = recordIndex
        self.byteOffset = byteOffset
    }

    public var description: String { "\(path): record \(recordIndex) (byte \(byteOffset))" }
}
