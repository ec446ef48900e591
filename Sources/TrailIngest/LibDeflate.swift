import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libdeflate's whole-buffer gzip decompressor, loaded at run time (`dlopen` of
/// `libdeflate.so.0`) so that the build needs no new package: the runtime library alone is
/// enough, and without it `Gunzip` uses zlib.
///
/// Only the four functions used are declared, with the prototypes of libdeflate's public header
/// (stable since 1.0): allocate and free a decompressor, and `libdeflate_gzip_decompress_ex`,
/// which inflates one gzip member into a buffer of a given size and checks its CRC-32 and ISIZE.
struct LibDeflate: Sendable {
    typealias Alloc = @convention(c) () -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    /// (decompressor, in, in_nbytes, out, out_nbytes_avail, actual_in_nbytes_ret, actual_out_nbytes_ret) -> result
    typealias GzipDecompressEx = @convention(c) (
        OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int,
        UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?
    ) -> Int32

    /// `enum libdeflate_result`.
    enum Result: Int32 {
        case success = 0
        case badData = 1
        case shortOutput = 2
        case insufficientSpace = 3
    }

    /// The library name given to `dlopen`.
    static let soname = "libdeflate.so.0"

    let alloc: Alloc
    let free: Free
    let gzipDecompressEx: GzipDecompressEx

    /// Loads the library, or nil when it (or one of the functions) is absent. The handle is never
    /// closed: the functions are used for the life of the process.
    static func load(name: String = soname) -> LibDeflate? {
        guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { return nil }
        guard let alloc = dlsym(handle, "libdeflate_alloc_decompressor"),
              let free = dlsym(handle, "libdeflate_free_decompressor"),
              let decompress = dlsym(handle, "libdeflate_gzip_decompress_ex")
        else {
            dlclose(handle)
            return nil
        }
        return LibDeflate(
            alloc: unsafeBitCast(alloc, to: Alloc.self),
            free: unsafeBitCast(free, to: Free.self),
            gzipDecompressEx: unsafeBitCast(decompress, to: GzipDecompressEx.self))
    }
}

/// Which inflater `Gunzip` uses.
public enum InflateBackend: String, Sendable, CaseIterable {
    /// libdeflate, loaded at run time: about twice zlib's speed on CloudTrail's files.
    case libdeflate
    /// The system zlib, streaming (always available).
    case zlib

    /// The environment variable that forces a backend: `TRAILWATCH_INFLATE=zlib`.
    public static let environmentVariable = "TRAILWATCH_INFLATE"

    /// libdeflate's functions, when the library could be loaded (loaded once, on first use).
    static let loadedLibDeflate: LibDeflate? = LibDeflate.load()

    /// Whether `TRAILWATCH_INFLATE=zlib` is set (read once).
    static let zlibForced: Bool = {
        guard let value = getenv(environmentVariable) else { return false }
        return String(cString: value).lowercased() == "zlib"
    }()

    /// The backend in use: libdeflate when it loads and zlib is not forced, else zlib.
    public static let active: InflateBackend = !zlibForced && loadedLibDeflate != nil ? .libdeflate : .zlib

    /// One line for `--version` and `status`: the backend in use and why.
    public static var description: String {
        let zlib = "zlib \(String(cString: zlibVersion()))"
        switch active {
        case .libdeflate:
            return "libdeflate (\(LibDeflate.soname), loaded at run time), \(zlib) as the fallback"
        case .zlib where zlibForced:
            return "\(zlib) (\(environmentVariable)=zlib)"
        case .zlib:
            return "\(zlib) (\(LibDeflate.soname) not found)"
        }
    }
}
