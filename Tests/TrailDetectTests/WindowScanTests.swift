import Testing
@testable import TrailDetect
import TrailTestSupport

/// ``ThresholdDetector/WindowScan`` against windows counted the slow way: every window it
/// returns, after any skip, has the entries and (up to the threshold) the distinct values of a
/// window counted from scratch (random cases from a seed a failure names).
@Suite struct WindowScanTests {
    typealias Entry = ThresholdDetector.Entry

    /// Entries sorted as a group keeps them: events at random times, some with several values;
    /// `valuesAreEntries`: each event's single value is its own id (a rule counting events).
    static func entries(seed: UInt64, valuesAreEntries: Bool) -> [Entry] {
        var random = SplitMix64(seed: seed)
        var out: [Entry] = []
        for event in 0..<Int.random(in: 1...120, using: &random) {
            let t = Int64.random(in: 0...600, using: &random)
            let id = "e\(event)"
            let values = valuesAreEntries ? [id] : Set((0..<Int.random(in: 1...3, using: &random)).map { _ in "v\(Int.random(in: 0..<12, using: &random))" }).sorted()
            for value in values { out.append(Entry(t: t, value: value, eventID: id, label: value)) }
        }
        return out.sorted { ($0.t, $0.eventID, $0.value) < ($1.t, $1.eventID, $1.value) }
    }

    @Test(arguments: [false, true])
    func everyWindowMatchesOneCountedFromScratch(valuesAreEntries: Bool) {
        for seed in UInt64(1)...400 {
            let entries = Self.entries(seed: seed, valuesAreEntries: valuesAreEntries)
            var random = SplitMix64(seed: seed &* 7919)
            let width = Int64.random(in: 1...200, using: &random)
            let threshold = Int.random(in: 1...8, using: &random)
            // Start at an event boundary and skip to a later one, as the detector does.
            let boundaries = entries.indices.filter { $0 == 0 || (entries[$0].t, entries[$0].eventID) != (entries[$0 - 1].t, entries[$0 - 1].eventID) }
            let start = boundaries.randomElement(using: &random)!
            let skipTo = boundaries.filter { $0 >= start }.randomElement(using: &random)!
            var scan = ThresholdDetector.WindowScan(entries, width: width, from: start, upTo: entries.count,
                                                    threshold: threshold, valuesAreEntries: valuesAreEntries)
            scan.skip(to: skipTo)
            var expectedEvents = boundaries.filter { $0 >= skipTo }
            while let step = scan.next() {
                let at = expectedEvents.removeFirst()
                let end = entries[at].t
                let next = entries[at...].firstIndex { ($0.t, $0.eventID) != (end, entries[at].eventID) } ?? entries.count
                let first = entries[start..<next].firstIndex { $0.t > end - width } ?? next
                let distinct = Set(entries[first..<next].map(\.value)).count
                #expect(step.end == end && step.next == next && step.first == first, "seed \(seed)")
                #expect(step.distinct == min(distinct, threshold), "seed \(seed): \(step.distinct) distinct, counted \(distinct) (threshold \(threshold))")
            }
            #expect(expectedEvents.isEmpty, "seed \(seed): the scan stopped early")
        }
    }
}
