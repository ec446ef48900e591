import NIOCore
import PostgresNIO

/// Turns a PostgresNIO cell (binary or text format) into a `PostgresCellValue`.
enum PostgresCellDecoder {
    /// Why a cell could not be read.
    struct Failure: Error {
        var message: String
    }

    static func decode(_ cell: PostgresNIO.PostgresCell) throws(Failure) -> PostgresCellValue {
        guard var bytes = cell.bytes else { return .null }
        let type = cell.dataType
        func failure(_ reason: String) -> Failure {
            Failure(message: "column \(cell.columnIndex + 1) (\(PercentCoding.encode(cell.columnName))) of type \(type): \(reason)")
        }
        if cell.format == .text {
            let text = bytes.readString(length: bytes.readableBytes) ?? ""
            switch type {
            case .int2, .int4, .int8, .oid, .numeric:
                guard let value = Int64(text) else { throw failure("\(text.prefix(40)) is not a whole number that fits 64 bits") }
                return .int(value)
            case .bool: return .int(text == "t" ? 1 : 0)
            case .text, .varchar, .name, .bpchar, .json, .jsonb: return .text(text)
            default: throw failure("not read by the store; cast it to bigint or text in the SQL")
            }
        }
        switch type {
        case .int2:
            guard bytes.readableBytes == 2, let v = bytes.readInteger(as: Int16.self) else { throw failure("not 2 bytes") }
            return .int(Int64(v))
        case .int4:
            guard bytes.readableBytes == 4, let v = bytes.readInteger(as: Int32.self) else { throw failure("not 4 bytes") }
            return .int(Int64(v))
        case .oid:
            guard bytes.readableBytes == 4, let v = bytes.readInteger(as: UInt32.self) else { throw failure("not 4 bytes") }
            return .int(Int64(v))
        case .int8:
            guard bytes.readableBytes == 8, let v = bytes.readInteger(as: Int64.self) else { throw failure("not 8 bytes") }
            return .int(v)
        case .bool:
            guard bytes.readableBytes == 1, let v = bytes.readInteger(as: UInt8.self) else { throw failure("not 1 byte") }
            return .int(v == 0 ? 0 : 1)
        case .numeric:
            return .int(try wholeNumeric(&bytes, failure))
        case .jsonb:
            guard bytes.readInteger(as: UInt8.self) == 1 else { throw failure("unknown jsonb version") }
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .text, .varchar, .name, .bpchar, .json:
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        default:
            throw failure("not read by the store; cast it to bigint or text in the SQL")
        }
    }

    /// A binary `numeric` that is a whole number within Int64: header (digit count, weight, sign,
    /// display scale), then base-10000 digits, the first worth 10000^weight.
    static func wholeNumeric(_ bytes: inout ByteBuffer, _ failure: (String) -> Failure) throws(Failure) -> Int64 {
        guard let count = bytes.readInteger(as: Int16.self), let weight = bytes.readInteger(as: Int16.self),
              let sign = bytes.readInteger(as: UInt16.self), bytes.readInteger(as: Int16.self) != nil,
              count >= 0, bytes.readableBytes == Int(count) * 2 else { throw failure("malformed numeric") }
        guard sign == 0x0000 || sign == 0x4000 else { throw failure("NaN or infinity, not a whole number") }
        // Accumulated negative, so Int64.min fits.
        var value: Int64 = 0
        for index in 0..<Int(count) {
            guard let digit = bytes.readInteger(as: Int16.self), (0..<10000).contains(digit) else { throw failure("malformed numeric") }
            if index > Int(weight) {
                guard digit == 0 else { throw failure("has a fraction; round or cast it to bigint in the SQL") }
                continue
            }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10000)
            let (next, o2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { throw failure("does not fit 64 bits") }
            value = next
        }
        // Trailing zero digits are not sent: scale up to the weight.
        if Int(weight) >= Int(count) {
            for _ in 0..<(Int(weight) - Int(count) + 1) {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10000)
                guard !overflow else { throw failure("does not fit 64 bits") }
                value = shifted
            }
        }
        if sign == 0x4000 { return value }
        guard value != Int64.min else { throw failure("does not fit 64 bits") }
        return -value
    }
}
