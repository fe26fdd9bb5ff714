internal import CLibCrypto
import FerrySpec

/// HMAC-SHA256 and SHA-256 helpers over libcrypto, for request signing (AWS Signature V4).
public enum HMACSHA256 {
    /// The HMAC-SHA256 of `message` under `key` (32 bytes). The corresponding C function is `HMAC`.
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                output.withUnsafeMutableBufferPointer { out in
                    HMAC(
                        EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                        out.baseAddress, &length) != nil
                }
            }
        }
        // One-shot HMAC with a software SHA-256 fails only when memory runs out.
        precondition(ok, "libcrypto: HMAC failed: \(DigestHasher.lastError())")
        return Array(output[0..<Int(length)])
    }

    /// The HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    public static func authenticate(_ message: String, key: [UInt8]) -> [UInt8] {
        authenticate(Array(message.utf8), key: key)
    }

    /// The SHA-256 of `bytes` as lowercase hex.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        // A software SHA-256 context can always be created; failure means no memory.
        let hasher = try! DigestHasher(.sha256)
        hasher.update(bytes)
        return hasher.finalize().encoded
    }

    /// `bytes` as lowercase hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        DigestHasher.hex(bytes[...])
    }
}
