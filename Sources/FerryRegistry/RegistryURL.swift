import Foundation

/// The URL arithmetic the distribution API needs: resolving `Location` and `Link` targets,
/// adding query parameters to opaque upload URLs (formats.md §8.3 item 4, §8.4).
public enum RegistryURL {
    /// Resolves `reference` (absolute `http(s)://…`, scheme-relative `//host/…`, absolute-path
    /// `/v2/…`, or relative `uploads/…`) against the URL of the request that returned it.
    public static func resolve(_ reference: String, against base: String) -> String {
        let lower = reference.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return reference }
        let (scheme, authority, path) = split(base)
        if reference.hasPrefix("//") { return scheme + ":" + reference }
        if reference.hasPrefix("/") { return "\(scheme)://\(authority)\(reference)" }
        if reference.hasPrefix("?") {
            let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
            return "\(scheme)://\(authority)\(pathOnly)\(reference)"
        }
        // Relative path: replace the last segment of the base path (RFC 3986 §5.2.3).
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        let directory = pathOnly.lastIndex(of: "/").map { String(pathOnly[...$0]) } ?? "/"
        return "\(scheme)://\(authority)\(removeDotSegments(directory + reference))"
    }

    /// `url` with `name=value` added to its query: after `&` when it has one (keeping opaque
    /// parameters such as `_state`), else after `?`. `value` is percent-encoded as a query value.
    public static func appendingQuery(_ url: String, name: String, value: String) -> String {
        let separator = url.contains("?") ? (url.hasSuffix("?") || url.hasSuffix("&") ? "" : "&") : "?"
        return url + separator + name + "=" + encodeQueryValue(value)
    }

    /// The origin of `url` as credentials are bound to it (RFC 6454): `scheme://host[:port]`,
    /// lower-cased, without user information, and without the scheme's default port (`:443` for
    /// https, `:80` for http), so that two spellings of one origin compare equal.
    public static func origin(_ url: String) -> String {
        let (scheme, authority, _) = split(url)
        var hostPort = Substring(authority.lowercased())
        if let at = hostPort.lastIndex(of: "@") { hostPort = hostPort[hostPort.index(after: at)...] }
        let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
        if let defaultPort, hostPort.hasSuffix(defaultPort) { hostPort = hostPort.dropLast(defaultPort.count) }
        return "\(scheme)://\(hostPort)"
    }

    /// The host of `url` without port or brackets (`127.0.0.1`, `::1`, `registry.example`).
    public static func host(_ url: String) -> String {
        let (_, authority, _) = split(url)
        var hostPort = Substring(authority.lowercased())
        if let at = hostPort.lastIndex(of: "@") { hostPort = hostPort[hostPort.index(after: at)...] }
        if hostPort.hasPrefix("[") { return String(hostPort.dropFirst().prefix { $0 != "]" }) }
        return String(hostPort.prefix { $0 != ":" })
    }

    /// Whether `host` (as ``host(_:)`` returns it) is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    public static func isLoopback(host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    /// The scheme of `reference` when it names one (`https`, `file`, `ftp`; RFC 3986 §3.1),
    /// lower-cased, else `nil` (a relative or scheme-relative reference).
    public static func scheme(of reference: String) -> String? {
        guard let colon = reference.firstIndex(of: ":") else { return nil }
        let candidate = reference[..<colon]
        guard let first = candidate.first, first.isASCII, first.isLetter,
            candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            !candidate.contains("/")
        else { return nil }
        return candidate.lowercased()
    }

    /// Resolves a `Location` or `Link` target the registry sent (``resolve(_:against:)``), refusing
    /// any scheme but `http` and `https` by name: a `file://`, `ftp://` or `javascript:` target is
    /// an answer no registry gives, never a path to read.
    /// - Parameter what: what the target is, for the message (`the upload Location`).
    /// - Throws: ``RegistryError`` (`invalidResponse`) for another scheme.
    public static func follow(_ reference: String, against base: String, what: String) throws(RegistryError) -> String {
        if let scheme = scheme(of: reference), scheme != "http", scheme != "https" {
            throw RegistryError(
                .invalidResponse, "\(what) \"\(Self.excerpt(reference))\" (answer to \(base)) has the scheme \(scheme):, not http or https; refused", url: base)
        }
        return resolve(reference, against: base)
    }

    /// `text` cut to 200 characters for messages.
    static func excerpt(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The target of the `rel="next"` link in a `Link` header value (RFC 8288), unresolved.
    public static func nextLink(_ header: String) -> String? {
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { return nil }
            let target = String(rest[rest.index(after: open)..<close])
            let paramsEnd = rest[close...].firstIndex(of: "<") ?? rest.endIndex
            let params = rest[rest.index(after: close)..<paramsEnd]
            for param in params.split(separator: ";") {
                let pair = param.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t,\"")) }
                if pair.count == 2, pair[0].lowercased() == "rel", pair[1].split(separator: " ").contains(where: { $0.lowercased() == "next" }) {
                    return target
                }
            }
            rest = rest[paramsEnd...]
        }
        return nil
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func encodeQueryValue(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]], as: UTF8.self)
            }
        }
        return out
    }

    /// (scheme, authority, path-and-query) of an absolute URL; path is `/` when absent.
    private static func split(_ url: String) -> (String, String, String) {
        guard let schemeEnd = url.range(of: "://") else { return ("https", "", url) }
        let scheme = String(url[..<schemeEnd.lowerBound]).lowercased()
        let afterScheme = url[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
        let authority = String(afterScheme[..<pathStart])
        var path = String(afterScheme[pathStart...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        return (scheme, authority, path)
    }

    private static func removeDotSegments(_ pathAndQuery: String) -> String {
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var output: [Substring] = []
        let segments = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            if segment == "." { continue }
            if segment == ".." {
                if output.count > 1 { output.removeLast() }
                continue
            }
            if segment.isEmpty && index != 0 && index != segments.count - 1 { continue }
            output.append(segment)
        }
        var path = output.joined(separator: "/")
        if segments.last == "." || segments.last == ".." { path += "/" }
        if !path.hasPrefix("/") { path = "/" + path }
        return parts.count > 1 ? path + "?" + parts[1] : path
    }
}
