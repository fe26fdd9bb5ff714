internal import CLibCrypto
import FerrySpec
import FerryStreams

/// An ECDSA P-256 key (ES256, RFC 7518 §3.4) held by libcrypto: a public key to verify with, or a
/// generated key pair to sign with.
///
/// Owns one `EVP_PKEY`, freed in `deinit`. Uses only OpenSSL 3's EVP interface (no deprecated
/// `EC_KEY` calls). Signatures in and out are JWS's raw `r || s` (64 bytes), converted to and from
/// the DER form libcrypto speaks here. All libcrypto calls for signatures are in this file.
public final class P256Key {
    private let key: OpaquePointer

    /// The DER `SubjectPublicKeyInfo` prefix of a P-256 key: SEQUENCE { SEQUENCE { id-ecPublicKey,
    /// prime256v1 }, BIT STRING { 04 || x || y } } up to the point.
    private static let spkiPrefix: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ]

    private init(key: OpaquePointer) { self.key = key }

    deinit { EVP_PKEY_free(key) }

    /// A public key from JWK coordinates. The corresponding C function is `d2i_PUBKEY`.
    /// - Throws: ``StreamError`` (`unsupported`) when `x` or `y` is not 32 bytes or the point is
    ///   not on the curve.
    public convenience init(x: [UInt8], y: [UInt8]) throws(StreamError) {
        guard x.count == 32, y.count == 32 else {
            throw StreamError(.unsupported, "P-256 key coordinates must be 32 bytes each, not \(x.count) and \(y.count)")
        }
        let der = Self.spkiPrefix + x + y
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &pointer, buffer.count)
        }
        guard let parsed else {
            throw StreamError(.unsupported, "not a P-256 public key: \(DigestHasher.lastError())")
        }
        self.init(key: parsed)
    }

    /// A new random key pair. The corresponding C functions are `EVP_PKEY_keygen_init`,
    /// `EVP_PKEY_CTX_set_group_name` and `EVP_PKEY_generate`.
    public static func generate() throws(StreamError) -> P256Key {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw StreamError(.library, "libcrypto: EVP_PKEY_CTX_new_from_name(EC) failed: \(DigestHasher.lastError())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
            EVP_PKEY_generate(context, &generated) == 1, let generated
        else {
            throw StreamError(.library, "libcrypto: generating a P-256 key failed: \(DigestHasher.lastError())")
        }
        return P256Key(key: generated)
    }

    /// The DER `SubjectPublicKeyInfo`. The corresponding C function is `i2d_PUBKEY`.
    public func publicKeyDER() throws(StreamError) -> [UInt8] {
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { throw StreamError(.library, "libcrypto: i2d_PUBKEY failed: \(DigestHasher.lastError())") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key, &pointer)
        }
        guard written == length else { throw StreamError(.library, "libcrypto: i2d_PUBKEY wrote \(written) of \(length) bytes") }
        return der
    }

    /// The public point's coordinates (32 bytes each), for a JWK.
    public func coordinates() throws(StreamError) -> (x: [UInt8], y: [UInt8]) {
        let der = try publicKeyDER()
        guard der.count == Self.spkiPrefix.count + 64, Array(der.prefix(Self.spkiPrefix.count)) == Self.spkiPrefix else {
            throw StreamError(.library, "libcrypto: unexpected P-256 public key encoding (\(der.count) bytes)")
        }
        let point = der.suffix(64)
        return (Array(point.prefix(32)), Array(point.suffix(32)))
    }

    /// Whether `signature` (raw `r || s`) is a valid ES256 signature of `message`.
    /// The corresponding C functions are `EVP_DigestVerifyInit` and `EVP_DigestVerify`.
    public func verify(signature: [UInt8], of message: [UInt8]) throws(StreamError) -> Bool {
        guard signature.count == 64 else { return false }
        let der = Self.derSignature(r: Array(signature.prefix(32)), s: Array(signature.suffix(32)))
        guard let context = EVP_MD_CTX_new() else {
            throw StreamError(.library, "libcrypto: EVP_MD_CTX_new failed: \(DigestHasher.lastError())")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw StreamError(.library, "libcrypto: EVP_DigestVerifyInit failed: \(DigestHasher.lastError())")
        }
        let status = EVP_DigestVerify(context, der, der.count, message, message.count)
        ERR_clear_error()  // a bad signature queues a decoding error; it is an answer, not a failure
        return status == 1
    }

    /// Signs `message` with ES256 and returns raw `r || s`.
    /// The corresponding C functions are `EVP_DigestSignInit` and `EVP_DigestSign`.
    public func sign(_ message: [UInt8]) throws(StreamError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw StreamError(.library, "libcrypto: EVP_MD_CTX_new failed: \(DigestHasher.lastError())")
        }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw StreamError(.library, "libcrypto: EVP_DigestSignInit failed: \(DigestHasher.lastError())")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw StreamError(.library, "libcrypto: EVP_DigestSign failed: \(DigestHasher.lastError())")
        }
        var der = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &der, &length, message, message.count) == 1 else {
            throw StreamError(.library, "libcrypto: EVP_DigestSign failed: \(DigestHasher.lastError())")
        }
        guard let (r, s) = Self.rawSignature(Array(der.prefix(length))) else {
            throw StreamError(.library, "libcrypto: EVP_DigestSign returned an unreadable signature")
        }
        return r + s
    }

    /// DER `ECDSA-Sig-Value` for two 32-byte big-endian integers.
    static func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }

    /// The two integers of a DER `ECDSA-Sig-Value`, each left-padded to 32 bytes.
    static func rawSignature(_ der: [UInt8]) -> (r: [UInt8], s: [UInt8])? {
        guard der.count >= 8, der[0] == 0x30, Int(der[1]) == der.count - 2 else { return nil }
        var offset = 2
        func integer() -> [UInt8]? {
            guard offset + 2 <= der.count, der[offset] == 0x02 else { return nil }
            let length = Int(der[offset + 1])
            guard offset + 2 + length <= der.count else { return nil }
            let value = Array(der[(offset + 2)..<(offset + 2 + length)].drop { $0 == 0 })
            offset += 2 + length
            guard value.count <= 32 else { return nil }
            return [UInt8](repeating: 0, count: 32 - value.count) + value
        }
        guard let r = integer(), let s = integer() else { return nil }
        return (r, s)
    }
}
