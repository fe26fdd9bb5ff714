/// One challenge from a `WWW-Authenticate` header (RFC 7235; formats.md §9.1), such as
/// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`.
public struct AuthChallenge: Sendable, Hashable {
    /// The scheme, lower-cased (`basic`, `bearer`).
    public var scheme: String
    /// The parameters, keys lower-cased, quoted values unescaped.
    public var parameters: [String: String]

    /// Creates a challenge.
    public init(scheme: String, parameters: [String: String] = [:]) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
    }

    /// The `realm` parameter.
    public var realm: String? { parameters["realm"] }
    /// The `service` parameter.
    public var service: String? { parameters["service"] }
    /// The scopes of the `scope` parameter (space-separated).
    public var scopes: [String] { parameters["scope"].map { $0.split(separator: " ").map(String.init) } ?? [] }
    /// The `error` parameter (`insufficient_scope`, `invalid_token`).
    public var error: String? { parameters["error"] }

    /// Parses every challenge in the values of one or more `WWW-Authenticate` headers.
    ///
    /// Challenges are separated by commas like their parameters; a new challenge starts at a token
    /// not followed by `=`. Malformed parts are skipped rather than failing the whole header.
    public static func parse(_ headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse(Array($0.utf8)) }
    }

    private static func parse(_ s: [UInt8]) -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        var i = 0
        func skip(_ set: String) { while i < s.count, set.utf8.contains(s[i]) { i += 1 } }
        func token() -> String {
            let start = i
            while i < s.count, isTokenByte(s[i]) { i += 1 }
            return String(decoding: s[start..<i], as: UTF8.self)
        }
        while i < s.count {
            skip(" \t,")
            let scheme = token()
            guard !scheme.isEmpty else {
                i += 1  // a stray byte: skip it
                continue
            }
            var challenge = AuthChallenge(scheme: scheme)
            skip(" \t")
            params: while i < s.count {
                let mark = i
                let name = token()
                skip(" \t")
                guard !name.isEmpty, i < s.count, s[i] == UInt8(ascii: "=") else {
                    if name.isEmpty {
                        // token68 or junk: consume up to the next comma.
                        while i < s.count, s[i] != UInt8(ascii: ",") { i += 1 }
                        if mark == i { break params }
                        skip(" \t,")
                        continue
                    }
                    i = mark  // a token without "=": the next challenge's scheme
                    break params
                }
                i += 1
                skip(" \t")
                var value = ""
                if i < s.count, s[i] == UInt8(ascii: "\"") {
                    i += 1
                    var bytes: [UInt8] = []
                    while i < s.count, s[i] != UInt8(ascii: "\"") {
                        if s[i] == UInt8(ascii: "\\"), i + 1 < s.count { i += 1 }
                        bytes.append(s[i])
                        i += 1
                    }
                    i += 1  // closing quote (or past the end)
                    value = String(decoding: bytes, as: UTF8.self)
                } else {
                    let start = i
                    while i < s.count, s[i] != UInt8(ascii: ","), s[i] != UInt8(ascii: " "), s[i] != UInt8(ascii: "\t") { i += 1 }
                    value = String(decoding: s[start..<i], as: UTF8.self)
                }
                challenge.parameters[name.lowercased()] = value
                skip(" \t")
                guard i < s.count, s[i] == UInt8(ascii: ",") else { break params }
                skip(" \t,")
            }
            challenges.append(challenge)
        }
        return challenges
    }

    /// RFC 7230 `tchar`.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
