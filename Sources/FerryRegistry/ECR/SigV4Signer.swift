import Foundation
import FerryStreams

/// An AWS access key, its secret and, for temporary (STS) credentials, a session token.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The access key id (`AKIA…`, `ASIA…`).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Names the key id only; never prints the secret or the token.
    public var description: String { "\(accessKeyID):***" }
}

/// AWS Signature Version 4 for HTTP requests, signed in the `Authorization` header.
///
/// Builds the canonical request (method, URI-encoded path, sorted query, sorted lower-case
/// headers with trimmed values, signed-header list, hex SHA-256 of the body), the string to sign
/// (`AWS4-HMAC-SHA256`, the `X-Amz-Date`, the scope `yyyymmdd/region/service/aws4_request`, the
/// canonical request's hex SHA-256), derives the key by HMAC-SHA256 over `"AWS4" + secret` →
/// date → region → service → `aws4_request`, and signs. Hashing is libcrypto's (``HMACSHA256``).
public struct SigV4Signer: Sendable {
    /// The key signing requests.
    public var credentials: AWSCredentials
    /// The region of the scope, such as `us-east-1`.
    public var region: String
    /// The signing service name of the scope, such as `ecr`.
    public var service: String

    /// Creates a signer for one region and service.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Everything a signature was computed from, and the headers to send.
    public struct Signature: Sendable {
        /// The canonical request.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// The signed header names, lower-case, `;`-separated.
        public var signedHeaders: String
        /// The signature, lowercase hex.
        public var signature: String
        /// The `Authorization` header value.
        public var authorization: String
        /// The headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token` (when the
        /// credentials have a session token) and `Authorization`.
        public var headers: [(name: String, value: String)]
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: `GET`, `POST`…
    ///   - path: the URL path, not yet percent-encoded (`/` when empty).
    ///   - query: the raw query string (`a=1&b=2`, already percent-encoded as sent), or empty.
    ///   - headers: every header to sign, `Host` included; `X-Amz-Date` and
    ///     `X-Amz-Security-Token` are added here.
    ///   - body: the exact body bytes.
    ///   - date: the signing time.
    public func sign(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: [UInt8], date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        var all = headers.filter { $0.name.lowercased() != "x-amz-date" && $0.name.lowercased() != "authorization" }
        all.append((name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken { all.append((name: "X-Amz-Security-Token", value: token)) }

        var canonicalHeaders: [String: [String]] = [:]
        for header in all { canonicalHeaders[header.name.lowercased(), default: []].append(Self.trim(header.value)) }
        let names = canonicalHeaders.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        var canonical = method.uppercased() + "\n" + Self.canonicalPath(path) + "\n" + Self.canonicalQuery(query) + "\n"
        for name in names { canonical += name + ":" + canonicalHeaders[name]!.joined(separator: ",") + "\n" }
        canonical += "\n" + signedHeaders + "\n" + HMACSHA256.sha256Hex(body)

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + HMACSHA256.sha256Hex(Array(canonical.utf8))
        let signature = HMACSHA256.hex(HMACSHA256.authenticate(stringToSign, key: signingKey(day: day)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var added: [(name: String, value: String)] = [(name: "X-Amz-Date", value: amzDate)]
        if let token = credentials.sessionToken { added.append((name: "X-Amz-Security-Token", value: token)) }
        added.append((name: "Authorization", value: authorization))
        return Signature(
            canonicalRequest: canonical, stringToSign: stringToSign, signedHeaders: signedHeaders, signature: signature, authorization: authorization,
            headers: added)
    }

    /// The derived signing key for `day` (`yyyymmdd`).
    public func signingKey(day: String) -> [UInt8] {
        var key = HMACSHA256.authenticate(day, key: Array(("AWS4" + credentials.secretAccessKey).utf8))
        key = HMACSHA256.authenticate(region, key: key)
        key = HMACSHA256.authenticate(service, key: key)
        return HMACSHA256.authenticate("aws4_request", key: key)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// Header values with leading and trailing spaces removed and inner runs of spaces collapsed.
    static func trim(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// Each path segment URI-encoded (RFC 3986 unreserved characters kept), `/` kept.
    static func canonicalPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// Query parameters decoded, re-encoded the AWS way and sorted by name, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes every byte but `A-Z a-z 0-9 - . _ ~`, with upper-case hex.
    static func uriEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
