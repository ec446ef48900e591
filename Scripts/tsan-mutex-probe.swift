// Shows why `Mutex.locked` (Sources/TrailSync) annotates locks for ThreadSanitizer.
// Four threads do the same work under one lock; the variant is the lock:
//   mutex     Synchronization's Mutex via withLock: reported as races, wrongly (the contended
//             lock and unlock happen inside the toolchain's uninstrumented library)
//   nslock    Foundation's NSLock (a pthread mutex, which the sanitizer intercepts): clean
//   annotated the Mutex with the acquire/release annotations `Mutex.locked` adds: clean
//   none      no lock: a real race, which must be reported
// Run: swiftc -sanitize=thread -O Scripts/tsan-mutex-probe.swift -o /tmp/probe
//      for v in mutex nslock annotated none; do TSAN_OPTIONS=halt_on_error=0 /tmp/probe $v 2>&1 | grep -E '^[a-z]+ [0-9]+$|reported'; done
import Foundation
import Synchronization

@_silgen_name("__tsan_acquire") func tsanAcquire(_ address: UnsafeRawPointer)
@_silgen_name("__tsan_release") func tsanRelease(_ address: UnsafeRawPointer)

final class Box: @unchecked Sendable {
    var count = 0
    var items: [Int] = []
}

let box = Box()
let mutex = Mutex(())
let nslock = NSLock()
let variant = CommandLine.arguments.dropFirst().first ?? "mutex"

func critical(_ i: Int) {
    box.count += 1
    for j in 0..<2000 { box.items.append(i &* j) }
    box.items.removeAll(keepingCapacity: true)
}

func annotated(_ i: Int) {
    let address = withUnsafePointer(to: mutex) { UnsafeRawPointer($0) }
    mutex.withLock { _ in
        tsanAcquire(address)
        defer { tsanRelease(address) }
        critical(i)
    }
}

DispatchQueue.concurrentPerform(iterations: 4) { _ in
    for i in 0..<300 {
        switch variant {
        case "mutex": mutex.withLock { _ in critical(i) }
        case "nslock": nslock.lock(); critical(i); nslock.unlock()
        case "annotated": annotated(i)
        default: critical(i)
        }
    }
}
print(variant, box.count)
