import Foundation

/// A proxy named by a URL in `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY`.
///
/// `http://[USER:PASSWORD@]HOST[:PORT]` (port 80 when absent; a bare `HOST:PORT` means the same)
/// is an HTTP proxy that every connection goes through with `CONNECT` — for plain-HTTP targets
/// too, which is how async-http-client talks to proxies. `socks5://` and `socks5h://` name a
/// SOCKS 5 proxy (port 1080 when absent; no user name). A proxy reached over TLS (`https://`) is
/// not supported and refused with an error rather than used without TLS.
public struct ProxyServer: Sendable, Hashable, CustomStringConvertible {
    /// The protocol spoken to the proxy.
    public enum Kind: String, Sendable, Hashable {
        /// HTTP with `CONNECT` tunnels.
        case http
        /// SOCKS 5.
        case socks5
    }

    /// The protocol spoken to the proxy.
    public var kind: Kind
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int
    /// User for `Proxy-Authorization: Basic`, from the URL's user info (percent-decoded).
    public var username: String?
    /// That user's password.
    public var password: String?

    /// Creates a proxy description.
    public init(kind: Kind = .http, host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// Parses a proxy URL as found in the environment.
    /// - Parameter variable: the variable it came from, for the error message.
    /// - Throws: ``RegistryError`` (`invalidArgument`) for an unsupported scheme, a missing host or
    ///   a bad port.
    public init(parsing text: String, variable: String) throws(RegistryError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var scheme = "http"
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        switch scheme {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        default:
            throw RegistryError(.invalidArgument, "\(variable)=\(text): proxies of scheme \(scheme):// are not supported (use http:// or socks5://)")
        }
        // Drop any path ("http://proxy:3128/").
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            password = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        }
        let (host, port) = HostPort.split(rest)
        guard !host.isEmpty else {
            throw RegistryError(.invalidArgument, "\(variable)=\(text): no proxy host")
        }
        self.host = host
        if let port {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw RegistryError(.invalidArgument, "\(variable)=\(text): bad proxy port \"\(port)\"")
            }
            self.port = number
        } else {
            self.port = kind == .http ? 80 : 1080
        }
        if kind == .socks5, username != nil {
            throw RegistryError(.invalidArgument, "\(variable)=\(text): SOCKS proxies with a user name are not supported")
        }
    }

    /// `kind://host:port`, never the password.
    public var description: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return "\(kind.rawValue)://\(username.map { "\($0):***@" } ?? "")\(bracketed):\(port)"
    }
}

/// Splitting `host[:port]` and `[v6]:port` authorities.
enum HostPort {
    /// The host (lower-cased, IPv6 without brackets) and the port text, if any.
    static func split(_ authority: Substring) -> (host: String, port: Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return (String(authority.dropFirst()).lowercased(), nil) }
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            return (host.lowercased(), after.hasPrefix(":") ? after.dropFirst() : nil)
        }
        // More than one colon and no brackets: a bare IPv6 address without a port.
        if authority.filter({ $0 == ":" }).count > 1 { return (authority.lowercased(), nil) }
        if let colon = authority.lastIndex(of: ":") {
            return (authority[..<colon].lowercased(), authority[authority.index(after: colon)...])
        }
        return (authority.lowercased(), nil)
    }
}
