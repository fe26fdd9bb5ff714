internal import CLibCrypto
import FerrySpec

/// Incremental SHA-256 or SHA-512 through libcrypto's EVP interface (SHA-NI where the CPU has it).
///
/// Owns one `EVP_MD_CTX`, freed in `deinit`. Not thread-safe: one task feeds it.
public final class DigestHasher {
    private let context: OpaquePointer
    /// The algorithm this hasher computes.
    public let algorithm: Digest.Algorithm

    /// Creates a hasher. The corresponding C functions are `EVP_MD_CTX_new` and `EVP_DigestInit_ex`.
    /// - Throws: ``StreamError`` with code `library` if libcrypto cannot set up the context.
    public init(_ algorithm: Digest.Algorithm = .sha256) throws(StreamError) {
        guard let context = EVP_MD_CTX_new() else {
            throw StreamError(.library, "libcrypto: EVP_MD_CTX_new failed: \(Self.lastError())")
        }
        let md = algorithm == .sha256 ? EVP_sha256() : EVP_sha512()
        guard EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw StreamError(.library, "libcrypto: EVP_DigestInit_ex failed: \(Self.lastError())")
        }
        self.context = context
        self.algorithm = algorithm
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes. The corresponding C function is `EVP_DigestUpdate`.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // EVP_DigestUpdate cannot fail for an initialised software digest.
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes and returns the digest. The hasher must not be used afterwards.
    /// The corresponding C function is `EVP_DigestFinal_ex`.
    public func finalize() -> Digest {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &output, &length)
        let hex = Self.hex(output[0..<Int(length)])
        // Lowercase hex of the algorithm's own length is always a valid digest.
        return try! Digest(algorithm, hex: hex)
    }

    /// The digest of `bytes`.
    public static func digest(_ bytes: [UInt8], algorithm: Digest.Algorithm = .sha256) throws(StreamError) -> Digest {
        let hasher = try DigestHasher(algorithm)
        hasher.update(bytes)
        return hasher.finalize()
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The error libcrypto last queued on this thread, in words, for a message (`FerrySigning`
    /// speaks to libcrypto too).
    public static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "no error queued" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
