import FuzzSupport
import TrailJSON
import TrailMatch

/// The pattern compiler and matcher. The input's first line is a pattern, the rest an event (as
/// in `trailwatch pattern test`). A pattern that compiles is matched against the event alone and
/// as a set of two copies of itself, which must agree (both match or neither).
@main enum FuzzMatchMain {
    static func main() { FuzzDriver.run(fuzzMatch) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (patternBytes, eventBytes) = FuzzInput.splitAtFirstNewline(FuzzInput.bytes(data, size))
    guard let patternDoc = try? JSONDocument(bytes: patternBytes) else { return 0 }
    let one: CompiledPatterns
    do {
        one = try CompiledPatterns([NamedPattern(name: "p", pattern: patternDoc.root)])
    } catch {
        _ = "\(error)"
        return 0
    }
    guard let eventDoc = try? JSONDocument(bytes: eventBytes) else { return 0 }
    let single = one.matchingIndexes(event: eventDoc.root, detail: nil)
    let withDetail = one.matchingIndexes(event: eventDoc.root, detail: eventDoc.root["detail"])
    _ = withDetail
    guard let two = try? CompiledPatterns([
        NamedPattern(name: "a", pattern: patternDoc.root), NamedPattern(name: "b", pattern: patternDoc.root),
    ]) else {
        FuzzInput.violated("a pattern compiles alone but not twice in a set")
    }
    let pair = two.matchingIndexes(event: eventDoc.root, detail: nil)
    let expected = single.isEmpty ? [] : [0, 1]
    if pair != expected { FuzzInput.violated("alone \(single), twice \(pair)") }
    // A matcher reused for a second event gives the same answer as a fresh one.
    let matcher = PatternMatcher(one)
    _ = matcher.matchingIndexes(event: patternDoc.root, detail: nil)
    if matcher.matchingIndexes(event: eventDoc.root, detail: nil) != single {
        FuzzInput.violated("a reused matcher disagrees with a fresh one")
    }
    return 0
}
