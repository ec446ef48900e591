import Dispatch
import Foundation
import TrailPipeline

/// Turns SIGINT and SIGTERM into a graceful stop: the first signal asks the pipeline to finish
/// the file in hand and commit; a second one exits at once (the store stays consistent, since
/// an unfinished transaction is rolled back by SQLite).
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    /// `reload`, when given, is asked for on SIGHUP (tail's rule reload).
    init(stop: StopSignal, reload: RulesReload? = nil) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [source] in
                // Signals that arrive together are delivered as one event with a count.
                if stop.isRequested || source.data >= 2 {
                    StandardError.note("second signal, exiting now")
                    _exit(130)
                }
                stop.request()
                StandardError.note("stopping after the file in hand (signal again to exit at once)")
            }
            source.resume()
            sources.append(source)
        }
        if let reload {
            signal(SIGHUP, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            source.setEventHandler {
                StandardError.note("SIGHUP, reloading the rules before the next file")
                reload.request()
            }
            source.resume()
            sources.append(source)
        }
    }
}
