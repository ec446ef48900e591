#if canImport(Glibc)
import Glibc
#endif

/// Raw loopback TCP for tests that must misbehave as an HTTP client (send half a request, never
/// read), which the HTTP clients will not do.
public enum LoopbackSocket {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    /// A blocking connection to 127.0.0.1:`port` whose reads give up after `readTimeout` seconds
    /// (a bound against hanging, not a timed assertion).
    public static func connect(port: Int, readTimeout: Int = 30) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: errno \(errno)") }
        var limit = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failed(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return fd
    }
}
