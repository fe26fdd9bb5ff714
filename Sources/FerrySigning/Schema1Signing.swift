import FerrySpec
import FerryStreams
import Foundation

/// What checking a schema 1 manifest's signatures found.
public enum Schema1SignatureStatus: Sendable, Hashable, CustomStringConvertible {
    /// No `signatures` (the `…manifest.v1+json` form).
    case unsigned
    /// Every signature verifies against its embedded key (these key ids).
    case verified(keyIDs: [String])
    /// A signature does not verify or cannot be checked; the reason names which and why.
    case invalid(String)

    public var description: String {
        switch self {
        case .unsigned: return "unsigned"
        case .verified(let ids): return "signed, verified (key \(ids.joined(separator: ", ")))"
        case .invalid(let reason): return "signature invalid: \(reason)"
        }
    }
}

/// libtrust-style JWS for schema 1 manifests (formats.md §6.2): digests, verification, signing.
///
/// Keys in these signatures are self-made and prove nothing about who made the image; verifying
/// them only shows the manifest was not edited after signing. Registries that still take schema 1
/// want a signature by any key, so Ferry signs with a fresh P-256 key each time.
public enum Schema1Signing {
    /// The digest of a schema 1 document: sha256 of its payload (the document itself when unsigned).
    /// - Throws: ``SpecError`` when the signatures are malformed.
    public static func digest(of bytes: [UInt8], context: String) throws -> Digest {
        try DigestHasher.digest(try Schema1Envelope(parsing: bytes, context: context).payload)
    }

    /// Checks every signature against its embedded key.
    public static func verify(_ envelope: Schema1Envelope) -> Schema1SignatureStatus {
        guard !envelope.signatures.isEmpty else { return .unsigned }
        var ids: [String] = []
        for (n, signature) in envelope.signatures.enumerated() {
            guard signature.algorithm == "ES256" else {
                return .invalid("signature \(n) uses \(signature.algorithm); Ferry checks ES256 only")
            }
            guard case .ec(let curve, let x, let y, let keyID) = signature.key, curve == "P-256" else {
                return .invalid("signature \(n) has no P-256 JWK to check it with")
            }
            do {
                let key = try P256Key(x: x, y: y)
                guard try key.verify(signature: signature.signature, of: signature.signingInput(payload: envelope.payload)) else {
                    return .invalid("signature \(n) (key \(keyID ?? "without id")) does not match the payload")
                }
            } catch {
                return .invalid("signature \(n): \(error)")
            }
            ids.append(keyID ?? "")
        }
        return .verified(keyIDs: ids)
    }

    /// Signs a compact JSON payload as libtrust does: `signatures` inserted before the final `}`,
    /// with `formatLength`/`formatTail` and `time` in the protected header.
    /// - Parameters:
    ///   - payload: the unsigned manifest (a JSON object, compact).
    ///   - key: the signing key.
    ///   - time: when, for the protected header (UTC, RFC 3339).
    /// - Returns: the signed document; its payload is `payload` exactly.
    public static func sign(_ payload: [UInt8], key: P256Key, time: Date = Date()) throws -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }
        guard let close = payload.lastIndex(where: { !isSpace($0) }), payload[close] == UInt8(ascii: "}"),
            let last = payload[..<close].lastIndex(where: { !isSpace($0) }), payload[last] != UInt8(ascii: ",")
        else {
            throw SpecError(.invalidDocument, "cannot sign: the manifest is not a JSON object")
        }
        let formatLength = last + 1
        let tail = Array(payload[formatLength...])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let protectedJSON =
            Array("{\"formatLength\":\(formatLength),\"formatTail\":".utf8) + GoJSON.quoted(Base64URL.encode(tail))
            + Array(",\"time\":".utf8) + GoJSON.quoted(formatter.string(from: time)) + [UInt8(ascii: "}")]
        let protected = Base64URL.encode(protectedJSON)
        let signature = try key.sign(Array((protected + "." + Base64URL.encode(payload)).utf8))
        let (x, y) = try key.coordinates()
        var jws = Array("{\"header\":{\"jwk\":{\"crv\":\"P-256\",\"kid\":".utf8) + GoJSON.quoted(try keyID(key))
        jws += Array(",\"kty\":\"EC\",\"x\":".utf8) + GoJSON.quoted(Base64URL.encode(x)) + Array(",\"y\":".utf8) + GoJSON.quoted(Base64URL.encode(y))
        jws += Array("},\"alg\":\"ES256\"},\"signature\":".utf8) + GoJSON.quoted(Base64URL.encode(signature))
        jws += Array(",\"protected\":".utf8) + GoJSON.quoted(protected) + [UInt8(ascii: "}")]
        return Array(payload[..<formatLength]) + Array(",\"signatures\":[".utf8) + jws + [UInt8(ascii: "]")] + tail
    }

    /// libtrust's key id: the first 240 bits of sha256(DER public key), base32, in 12 groups of 4
    /// joined by `:`.
    public static func keyID(_ key: P256Key) throws -> String {
        let hash = try DigestHasher.digest(try key.publicKeyDER())
        var bytes: [UInt8] = []
        var hex = Array(hash.encoded.utf8)[0..<60].makeIterator()
        while let high = hex.next(), let low = hex.next() {
            bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var text = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        var groups: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: ":")
    }
}
