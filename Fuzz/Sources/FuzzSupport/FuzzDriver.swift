import CFuzzDriver

#if canImport(Glibc)
import Glibc
#endif

/// Starts libFuzzer on a target's test function, with the process arguments (`-runs=`,
/// `-max_total_time=`, corpus directories, ...).
public enum FuzzDriver {
    /// The signature libFuzzer calls for each input.
    public typealias Test = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer and exits with its status.
    public static func run(_ test: Test) -> Never {
        exit(trailwatch_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv, test))
    }
}
