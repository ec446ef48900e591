import Crypto

/// SHA-256 of bytes in memory (digest files, which are small), from swift-crypto.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> SHA256.Digest { SHA256.hash(data: bytes) }
}
