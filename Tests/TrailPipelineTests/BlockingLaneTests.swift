import Synchronization
import Testing
import TrailSync
@testable import TrailPipeline

/// The lane that group commits of a shared store run on: one job at a time, each result handed
/// back to its own caller.
@Suite struct BlockingLaneTests {
    @Test func jobsFromManyTasksRunOneAtATimeAndReturnToTheirCallers() async {
        let lane = BlockingLane(label: "test.lane")
        let seen = Seen()
        let results = await withTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<64 {
                group.addTask {
                    (i, await lane.run {
                        if seen.running.locked({ $0 += 1; return $0 }) > 1 { seen.overlapped.locked { $0 = true } }
                        // Long enough that a second job, were it let in, would overlap this one.
                        var spin = 0
                        for k in 0..<20_000 { spin &+= k }
                        seen.ran.locked { $0 += 1 }
                        seen.running.locked { $0 -= 1 }
                        return i * 2 + (spin == -1 ? 1 : 0)
                    })
                }
            }
            var out: [Int: Int] = [:]
            for await (i, r) in group { out[i] = r }
            return out
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0.value == $0.key * 2 })
        #expect(!seen.overlapped.locked { $0 })
        #expect(seen.ran.locked { $0 } == 64)
    }
}

private final class Seen: Sendable {
    let running = Mutex(0)
    let overlapped = Mutex(false)
    let ran = Mutex(0)
}
