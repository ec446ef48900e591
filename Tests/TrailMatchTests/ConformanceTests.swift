import Foundation
import Testing
import TrailJSON
@testable import TrailMatch

@Suite struct ConformanceTests {
    private func check(_ cases: [ConformanceCase]) -> (agree: Int, failures: [String]) {
        var agree = 0
        var failures: [String] = []
        for c in cases {
            let got = c.answer()
            let wanted = c.quirk ? (documentedQuirkAnswers[c.id] ?? c.expect) : c.expect
            if got == wanted {
                agree += 1
            } else {
                failures.append("\(c.id): expected \(wanted), got \(got)")
            }
        }
        return (agree, failures)
    }

    @Test func committedFixtureCases() throws {
        let cases = try ConformanceCase.load(TestPaths.fixtures.appendingPathComponent("conformance-subset.jsonl").path)
        #expect(cases.count > 600)
        let (agree, failures) = check(cases)
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
        #expect(agree == cases.count)
    }

    @Test func fixtureCoversEveryGroup() throws {
        let cases = try ConformanceCase.load(TestPaths.fixtures.appendingPathComponent("conformance-subset.jsonl").path)
        let groups = Set(cases.compactMap { $0.line["group"]?.string })
        for g in ["exact", "number", "null-bool-empty", "prefix", "suffix", "equals-ignore-case", "prefix-suffix-eic",
                  "wildcard", "anything-but", "numeric", "exists", "cidr", "$or", "arrays", "field-names", "invalid",
                  "cloudtrail-rules", "random"] {
            #expect(groups.contains(g), "fixture lacks group \(g)")
        }
    }

    /// Runs the full shared file when it is present (it is not part of the package).
    @Test(.enabled(if: TestPaths.sharedCases != nil))
    func sharedConformanceFile() throws {
        guard let path = TestPaths.sharedCases else { return }
        let cases = try ConformanceCase.load(path)
        #expect(cases.count >= 1493)
        let (agree, failures) = check(cases)
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
        #expect(agree == cases.count)
    }

    /// Every quirk where TrailWatch differs is a labelled quirk in the shared file.
    @Test(.enabled(if: TestPaths.sharedCases != nil))
    func documentedDifferencesAreQuirks() throws {
        guard let path = TestPaths.sharedCases else { return }
        let cases = try ConformanceCase.load(path)
        let quirkIDs = Set(cases.filter(\.quirk).map(\.id))
        for id in documentedQuirkAnswers.keys { #expect(quirkIDs.contains(id), "\(id) is not a quirk case") }
        for c in cases where documentedQuirkAnswers[c.id] != nil { #expect(c.expect != documentedQuirkAnswers[c.id]) }
    }
}
