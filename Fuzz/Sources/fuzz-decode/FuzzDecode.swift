import FuzzSupport
import TrailDecode
import TrailDetect
import TrailJSON
import TrailMatch

/// The shipped rules' patterns, compiled once.
let shippedPatterns: CompiledPatterns = {
    do {
        let rules = try RuleLoader.loadShipped()
        return try CompiledPatterns(rules.map { NamedPattern(name: $0.name, file: $0.file, pattern: $0.pattern) })
    } catch {
        fatalError("the shipped rules do not load: \(error)")
    }
}()

/// The record decoder on arbitrary bytes (format detection included), then what the pipeline's
/// parallel stage does with each record: sketch it, normalise it, build its envelope and match the
/// shipped rules. Where a record has a sketch, matching the sketch's envelope view must give the
/// same rules as matching the envelope built from the normalised event (the pipeline relies on it).
@main enum FuzzDecodeMain {
    static func main() { FuzzDriver.run(fuzzDecode) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let decoded: DecodedFile
    do {
        decoded = try RecordDecoder.decode(bytes, path: "fuzz.json")
    } catch {
        if error.byteOffset < 0 || error.byteOffset > bytes.count {
            FuzzInput.violated("decode error offset \(error.byteOffset) outside the \(bytes.count) input bytes")
        }
        return 0
    }
    _ = decoded.format.rawValue
    for problem in decoded.invalid { _ = problem.description }
    let normaliser = Normaliser()
    var sketcher = EnvelopeSketcher()
    for record in decoded.records {
        let sketch = sketcher.sketch(record.record)
        switch normaliser.normalise(record) {
        case let .failure(problem):
            if sketch != nil { FuzzInput.violated("a sketched record does not normalise: \(problem)") }
        case let .success(event):
            let envelope = EnvelopeBuilder.envelope(for: event, record: record.record)
            let full = shippedPatterns.matchingIndexes(event: envelope.root, detail: record.record)
            guard let sketch else { continue }
            if sketch.eventTime != event.eventTime { FuzzInput.violated("sketch and event times differ") }
            var view = EnvelopeView(base: sketch.constants, detail: record.record)
            view.addMember("id", detailNode: sketch.eventID)
            view.addMember("account", detailNode: sketch.account)
            view.addMember("time", detailNode: sketch.time)
            view.addMember("region", detailNode: sketch.region)
            view.addList("resources", elementsOf: sketch.resources, member: "ARN")
            let viewed = shippedPatterns.matchingIndexes(envelope: view)
            if viewed != full { FuzzInput.violated("envelope view matched \(viewed), built envelope \(full)") }
        }
    }
    return 0
}
