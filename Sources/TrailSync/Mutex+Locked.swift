import Synchronization

#if TRAILWATCH_TSAN
// ThreadSanitizer's annotation entry points; they exist only in builds linked with its runtime.
@usableFromInline @_silgen_name("__tsan_acquire") func tsanAcquire(_ address: UnsafeRawPointer)
@usableFromInline @_silgen_name("__tsan_release") func tsanRelease(_ address: UnsafeRawPointer)
#endif

extension Mutex where Value: ~Copyable {
    /// Runs `body` with exclusive access to the protected value: `withLock`, made visible to
    /// ThreadSanitizer. The project enters every `Mutex` through this method.
    ///
    /// On Linux, Synchronization's `Mutex` takes its contended path (spin, futex wait and wake)
    /// inside the toolchain's library, which is not built with ThreadSanitizer. The sanitizer then
    /// misses the acquire and release of a contended lock and reports the accesses it orders as
    /// races (`Scripts/tsan-mutex-probe.swift` shows it: the same loop is reported under `Mutex`
    /// and clean under a pthread mutex). In builds made by `Scripts/sanitize.sh thread`, which
    /// define `TRAILWATCH_TSAN`, this tells the sanitizer of the acquire after locking and the
    /// release before unlocking, keyed by the mutex's address; in every other build it is exactly
    /// `withLock`.
    @inlinable
    public borrowing func locked<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        #if TRAILWATCH_TSAN
        let address = withUnsafePointer(to: self) { UnsafeRawPointer($0) }
        return try withLock { (value: inout sending Value) throws(E) -> sending Result in
            tsanAcquire(address)
            defer { tsanRelease(address) }
            return try body(&value)
        }
        #else
        return try withLock(body)
        #endif
    }
}
