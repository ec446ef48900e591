import Testing
import TrailDecode
import TrailJSON
import TrailModel

/// Garbage inside a log file costs O(1) memory per element: past the first invalid records the
/// rest are counted in one entry, and input denser than any CloudTrail file is refused rather
/// than given a tape several times its size (issue 10, item 1).
@Suite struct GarbageRecordsTests {
    @Test func nonObjectElementsAreCountedNotListed() throws {
        let good = record(#""eventName":"GetSecretValue""#, id: "good")
        let garbage = Array(repeating: #""junk""#, count: 5_000).joined(separator: ",")
        let f = try decode(#"{"Records":[\#(good),\#(garbage)]}"#, path: "g.json")
        #expect(f.records.count == 1)
        #expect(f.invalid.recordCount == 5_000)
        #expect(f.invalid.count <= 101, "\(f.invalid.count) entries for 5,000 invalid elements")
        // The first ones keep their own locations; the last entry stands for the rest.
        #expect(f.invalid[0].location.recordIndex == 1)
        #expect(f.invalid[0].count == 1)
        let rest = try #require(f.invalid.last)
        #expect(rest.count == 5_000 - (f.invalid.count - 1))
        #expect(rest.location.recordIndex == f.invalid.count)
        #expect(rest.description.contains("more invalid records"))
    }

    @Test func fewInvalidRecordsAreAllListed() throws {
        let f = try decode(#"{"Records":[1,2,3]}"#)
        #expect(f.invalid.count == 3 && f.invalid.allSatisfy { $0.count == 1 })
        #expect(f.invalid.map(\.location.recordIndex) == [0, 1, 2])
    }

    /// `{"Records":[0,0,0,…]}`: one JSON value per two bytes; refused with a clear reason and the
    /// byte where the limit was passed, instead of a tape ten times the input.
    @Test func denseGarbageIsRefused() {
        let text = #"{"Records":["# + Array(repeating: "0", count: 200_000).joined(separator: ",") + "]}"
        do {
            let f = try decode(text, path: "zeros.json")
            Issue.record("decoded \(f.records.count) records and \(f.invalid.recordCount) invalid")
        } catch {
            #expect(error.description.contains("zeros.json"))
            #expect(error.description.contains("JSON values"), "\(error)")
            #expect(error.byteOffset > 0)
        }
    }

    @Test func realisticDensityIsAccepted() throws {
        // Short records with many small members stay well within the limit.
        let records = (0..<2_000).map { record(#""readOnly":true,"a":1,"b":[1,2,3]"#, id: "id\($0)") }
        let f = try decode(#"{"Records":[\#(records.joined(separator: ","))]}"#)
        #expect(f.records.count == 2_000 && f.invalid.isEmpty)
    }
}
