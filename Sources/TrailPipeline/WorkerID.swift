import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who a worker is, in file claims and logs: host name, process id and a random suffix (so two
/// runs of one process, or a restarted process that got the same pid, are different workers).
public struct WorkerID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// The longest id accepted.
    public static let maxLength = 200

    /// A given id (`--worker-id`): 1 to 200 printable ASCII characters, no spaces, so that it
    /// prints unescaped in logs.
    public init(_ value: String) throws(PipelineError) {
        guard !value.isEmpty, value.utf8.count <= Self.maxLength,
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw PipelineError(.usage, "--worker-id must be 1 to \(Self.maxLength) printable ASCII characters without spaces")
        }
        self.value = value
    }

    /// `HOST:PID:SUFFIX`, the suffix 8 random hex digits.
    public static func generate() -> WorkerID {
        var name = [CChar](repeating: 0, count: 256)
        let raw = gethostname(&name, name.count - 1) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var host = raw.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        if host.isEmpty { host = "host" }
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let text = "\(host.prefix(120)):\(ProcessInfo.processInfo.processIdentifier):\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
        return (try? WorkerID(text)) ?? WorkerID(unchecked: text)
    }

    private init(unchecked value: String) { self.value = value }

    public var description: String { value }
}
