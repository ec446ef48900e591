/// Helpers shared by the fuzz targets.
public enum FuzzInput {
    /// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, copied into an array.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Splits an input at its first newline: the part before (a pattern, say) and the rest (an
    /// event). Without a newline the whole input is the first part and the second is empty.
    public static func splitAtFirstNewline(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        guard let i = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return (bytes, []) }
        return (Array(bytes[..<i]), Array(bytes[(i + 1)...]))
    }

    /// Stops the run with a message libFuzzer reports as a crash (saving the input), for an
    /// invariant that does not hold.
    public static func violated(_ what: String, file: StaticString = #file, line: UInt = #line) -> Never {
        fatalError("fuzz invariant violated: \(what)", file: file, line: line)
    }
}
