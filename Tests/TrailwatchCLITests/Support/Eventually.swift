import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Polling with a deadline, the one way these tests wait for a child process or a server.
//
// Swift Testing runs the tests of a target at once on the cooperative pool, which is as wide as
// the machine has cores (two here). A test that blocks a thread (a child's `waitUntilExit`, a
// property test) can hold up every other test for a minute or more. So the deadline is checked
// only after a look: a test task that is starved past its deadline still finds what is there
// when it runs again, and gives up only if it is truly not there. A deadline, never a timed
// assertion.

/// Polls `condition` every `every` seconds until it holds or `seconds` pass, looking once more
/// after the deadline. Blocks the calling thread between looks (for synchronous tests).
func eventually(_ seconds: Double, every: Double = 0.1, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        guard Date() < deadline else { return false }
        usleep(useconds_t(every * 1_000_000))
    }
}

/// Polls `condition` every `every` seconds until it holds or `seconds` pass, looking once more
/// after the deadline. Suspends between looks, so it holds no thread of the pool.
func eventually(_ seconds: Double, every: Double = 0.1, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return true }
        guard Date() < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
    }
}
