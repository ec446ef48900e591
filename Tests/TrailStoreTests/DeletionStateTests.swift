import Testing
import TrailModel
@testable import TrailStore

/// A stored `DeleteSecret` carries whatever window its record claimed; the deletion date must be
/// computed without trapping and must not land outside what AWS allows.
@Suite struct DeletionStateTests {
    let day: Int64 = 86_400_000

    func state(_ window: Int?, force: Bool = false) -> DeletionState {
        DeletionState(scheduled: 1_000 * day, principal: "p", eventID: "e", recoveryWindowInDays: window, force: force, restored: nil)
    }

    @Test func acceptedWindowsAndTheDefault() {
        #expect(state(7).deletionDate == 1_007 * day)
        #expect(state(30).deletionDate == 1_030 * day)
        #expect(state(nil).deletionDate == 1_030 * day)
        #expect(state(12, force: true).deletionDate == 1_000 * day)
    }

    @Test(arguments: [Int.max, Int.min, 2_147_483_647, -5, 0, 31])
    func impossibleWindowsCountAsTheSoonest(window: Int) {
        #expect(state(window).deletionDate == 1_007 * day)
    }
}
