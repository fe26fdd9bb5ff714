import Foundation

/// The proxies the environment asks for, read as curl and Go read them.
///
/// - `https_proxy` / `HTTPS_PROXY`: for `https://` URLs (the registry, token realms, redirects).
/// - `http_proxy` / `HTTP_PROXY`: for plain `http://` URLs.
/// - `all_proxy` / `ALL_PROXY`: for either, when the specific variable is unset.
/// - `no_proxy` / `NO_PROXY`: hosts that go direct (``NoProxyRules``).
///
/// When both spellings are set, the lower-case one wins (curl's order). An empty value counts as
/// unset. Loopback hosts are proxied like any other unless `NO_PROXY` lists them.
public struct ProxyEnvironment: Sendable, Hashable {
    /// The proxy for `https://` URLs.
    public var httpsProxy: ProxyServer?
    /// The proxy for `http://` URLs.
    public var httpProxy: ProxyServer?
    /// The hosts that bypass both.
    public var noProxy: NoProxyRules

    /// No proxy at all.
    public static let direct = ProxyEnvironment(httpsProxy: nil, httpProxy: nil, noProxy: NoProxyRules(""))

    /// Creates proxy settings.
    public init(httpsProxy: ProxyServer?, httpProxy: ProxyServer?, noProxy: NoProxyRules) {
        self.httpsProxy = httpsProxy
        self.httpProxy = httpProxy
        self.noProxy = noProxy
    }

    /// Reads the variables from `environment`.
    /// - Throws: ``RegistryError`` (`invalidArgument`) for a proxy URL that cannot be used, naming
    ///   the variable.
    public init(environment: [String: String]) throws(RegistryError) {
        func value(_ name: String) -> (name: String, value: String)? {
            for candidate in [name.lowercased(), name.uppercased()] {
                if let value = environment[candidate], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                    return (candidate, value)
                }
            }
            return nil
        }
        let all = value("all_proxy")
        let https = value("https_proxy") ?? all
        let http = value("http_proxy") ?? all
        httpsProxy = try https.map { (found) throws(RegistryError) in try ProxyServer(parsing: found.value, variable: found.name) }
        httpProxy = try http.map { (found) throws(RegistryError) in try ProxyServer(parsing: found.value, variable: found.name) }
        noProxy = NoProxyRules(value("no_proxy")?.value ?? "")
    }

    /// The proxy a request to `url` goes through, or `nil` for a direct connection.
    public func proxy(for url: String) -> ProxyServer? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let afterScheme = url[schemeEnd.upperBound...]
        var authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let (host, portText) = HostPort.split(authority)
        let port = portText.flatMap { Int($0) } ?? (scheme == "https" ? 443 : 80)
        return proxy(scheme: scheme, host: host, port: port)
    }

    /// The proxy for `scheme://host:port`, or `nil` for a direct connection.
    public func proxy(scheme: String, host: String, port: Int) -> ProxyServer? {
        let candidate: ProxyServer?
        switch scheme.lowercased() {
        case "https": candidate = httpsProxy
        case "http": candidate = httpProxy
        default: candidate = nil
        }
        guard let candidate, !noProxy.bypasses(host: host, port: port) else { return nil }
        return candidate
    }
}
