import Foundation

/// One libtrust JWS signature of a signed schema 1 manifest (formats.md §6.2).
public struct Schema1Signature: Sendable, Hashable {
    /// The signer's public key, as the header gives it.
    public enum Key: Sendable, Hashable {
        /// An elliptic-curve JWK: curve name and the base64url-decoded coordinates.
        case ec(curve: String, x: [UInt8], y: [UInt8], keyID: String?)
        /// A key Ferry cannot check (an `x5c` chain, an RSA key): named for messages.
        case unsupported(String)
    }

    /// `alg` from the header, such as `ES256`.
    public var algorithm: String
    /// The key that made the signature.
    public var key: Key
    /// The `protected` header exactly as written (base64url), part of the signing input.
    public var protected: String
    /// The decoded signature bytes (for ES256: `r || s`, 64 bytes).
    public var signature: [UInt8]
    /// `formatLength` from the protected header.
    public var formatLength: Int
    /// `formatTail` from the protected header, decoded.
    public var formatTail: [UInt8]

    /// The bytes the signature covers: `protected "." base64url(payload)` (RFC 7515 §5.1).
    public func signingInput(payload: [UInt8]) -> [UInt8] {
        Array((protected + "." + Base64URL.encode(payload)).utf8)
    }
}

/// A schema 1 document split into the signed payload and its signatures.
///
/// For a signed manifest the payload is `bytes[0..<formatLength] + formatTail`: the document with
/// `signatures` cut out; its sha256 is the manifest digest (formats.md §1.2). An unsigned document
/// is its own payload.
public struct Schema1Envelope: Sendable, Hashable {
    /// The bytes the signatures cover and the digest is computed over.
    public var payload: [UInt8]
    /// The signatures, in document order; empty for an unsigned manifest.
    public var signatures: [Schema1Signature]

    /// Splits a schema 1 document.
    /// - Throws: ``SpecError`` (`invalidDocument`) naming `context` when `signatures` is not an
    ///   array of JWS objects, a protected header is unreadable, signatures disagree on
    ///   `formatLength`/`formatTail`, or the payload is not a JSON object.
    public init(parsing bytes: [UInt8], context: String) throws(SpecError) {
        struct Probe: Decodable {
            var signatures: [Entry]?
            struct Entry: Decodable {
                var header: Header
                var signature: String
                var protected: String
            }
            struct Header: Decodable {
                var alg: String
                var jwk: JWK?
                var x5c: [String]?
            }
            struct JWK: Decodable {
                var kty: String
                var crv: String?
                var x: String?
                var y: String?
                var kid: String?
            }
        }
        struct Protected: Decodable {
            var formatLength: Int
            var formatTail: String
        }
        let probe: Probe = try JSONDocument.decode(Probe.self, from: bytes, context: context)
        guard let entries = probe.signatures, !entries.isEmpty else {
            payload = bytes
            signatures = []
            return
        }
        var parsed: [Schema1Signature] = []
        for (n, entry) in entries.enumerated() {
            let where_ = "\(context): signature \(n)"
            guard let protectedBytes = Base64URL.decode(entry.protected) else {
                throw SpecError(.invalidDocument, "\(where_): protected header is not base64url")
            }
            let header: Protected = try JSONDocument.decode(Protected.self, from: protectedBytes, context: "\(where_) protected header")
            guard let tail = Base64URL.decode(header.formatTail) else {
                throw SpecError(.invalidDocument, "\(where_): formatTail is not base64url")
            }
            guard header.formatLength >= 0, header.formatLength <= bytes.count else {
                throw SpecError(.invalidDocument, "\(where_): formatLength \(header.formatLength) is outside the \(bytes.count)-byte document")
            }
            guard let signature = Base64URL.decode(entry.signature) else {
                throw SpecError(.invalidDocument, "\(where_): signature is not base64url")
            }
            let key: Schema1Signature.Key
            if let jwk = entry.header.jwk, jwk.kty == "EC", let x = jwk.x.flatMap(Base64URL.decode), let y = jwk.y.flatMap(Base64URL.decode) {
                key = .ec(curve: jwk.crv ?? "", x: x, y: y, keyID: jwk.kid)
            } else if let jwk = entry.header.jwk {
                key = .unsupported("\(jwk.kty) JWK")
            } else {
                key = .unsupported(entry.header.x5c != nil ? "x5c certificate chain" : "no key")
            }
            parsed.append(
                Schema1Signature(
                    algorithm: entry.header.alg, key: key, protected: entry.protected, signature: signature, formatLength: header.formatLength, formatTail: tail
                ))
        }
        let first = parsed[0]
        for (n, other) in parsed.enumerated().dropFirst() where other.formatLength != first.formatLength || other.formatTail != first.formatTail {
            throw SpecError(
                .invalidDocument,
                "\(context): signature \(n) covers a different payload (formatLength \(other.formatLength)) than signature 0 (\(first.formatLength))")
        }
        let payload = Array(bytes[0..<first.formatLength]) + first.formatTail
        guard (try? JSONSerialization.jsonObject(with: Data(payload))) is [String: Any] else {
            throw SpecError(
                .invalidDocument,
                "\(context): the signed payload (formatLength \(first.formatLength)) is not a JSON object; the document was edited after signing")
        }
        self.payload = payload
        self.signatures = parsed
    }
}
