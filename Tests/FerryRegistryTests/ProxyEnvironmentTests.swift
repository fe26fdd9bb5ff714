import FerryRegistry
import Testing

/// Which URL goes through which proxy: the environment variables as curl and Go read them.
@Suite struct ProxyEnvironmentTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var noProxy: String
        var url: String
        var proxied: Bool
        var testDescription: String { "NO_PROXY=\(noProxy) \(url) → \(proxied ? "proxy" : "direct")" }
    }

    static let cases: [Case] = [
        // No NO_PROXY: everything is proxied, loopback included (curl's rule, not Go's).
        Case(noProxy: "", url: "https://registry.example/v2/", proxied: true),
        Case(noProxy: "", url: "http://127.0.0.1:5000/v2/", proxied: true),
        Case(noProxy: "", url: "http://localhost:5000/v2/", proxied: true),
        // `*` sends everything direct.
        Case(noProxy: "*", url: "https://registry.example/v2/", proxied: false),
        // A domain matches itself and its subdomains, not look-alikes; case does not matter.
        Case(noProxy: "example.com", url: "https://example.com/v2/", proxied: false),
        Case(noProxy: "example.com", url: "https://registry.EXAMPLE.com/v2/", proxied: false),
        Case(noProxy: "example.com", url: "https://badexample.com/v2/", proxied: true),
        // A leading dot or `*.`: subdomains only (Go's reading).
        Case(noProxy: ".example.com", url: "https://example.com/v2/", proxied: true),
        Case(noProxy: ".example.com", url: "https://a.example.com/v2/", proxied: false),
        Case(noProxy: "*.example.com", url: "https://a.b.example.com/v2/", proxied: false),
        // With a port, only that port (the scheme's default port counts).
        Case(noProxy: "example.com:5000", url: "https://example.com:5000/v2/", proxied: false),
        Case(noProxy: "example.com:5000", url: "https://example.com/v2/", proxied: true),
        Case(noProxy: "example.com:443", url: "https://example.com/v2/", proxied: false),
        // IP addresses and CIDR ranges, IPv4 and IPv6; a domain rule never matches an IP.
        Case(noProxy: "127.0.0.1", url: "http://127.0.0.1:5000/v2/", proxied: false),
        Case(noProxy: "127.0.0.1:5000", url: "http://127.0.0.1:5001/v2/", proxied: true),
        Case(noProxy: "10.0.0.0/8", url: "https://10.20.30.40/v2/", proxied: false),
        Case(noProxy: "10.0.0.0/8", url: "https://11.0.0.1/v2/", proxied: true),
        Case(noProxy: "::1", url: "http://[::1]:5000/v2/", proxied: false),
        Case(noProxy: "[::1]:5000", url: "http://[::1]:5000/v2/", proxied: false),
        Case(noProxy: "fd00::/8", url: "https://[fd12::1]/v2/", proxied: false),
        Case(noProxy: "0.0.1", url: "https://10.0.0.1/v2/", proxied: true),
        // Lists: commas and spaces, empty entries and junk ignored.
        Case(noProxy: " foo.test , ,localhost  127.0.0.1", url: "http://localhost:5000/v2/", proxied: false),
        Case(noProxy: "foo.test,[::1", url: "https://registry.example/v2/", proxied: true),
    ]

    @Test(arguments: cases)
    func noProxyRules(_ row: Case) throws {
        let proxies = try ProxyEnvironment(environment: [
            "HTTPS_PROXY": "http://proxy.test:3128", "HTTP_PROXY": "http://proxy.test:3128", "NO_PROXY": row.noProxy,
        ])
        #expect((proxies.proxy(for: row.url) != nil) == row.proxied)
    }

    @Test func schemesPickTheirVariableAndAllProxyFillsIn() throws {
        let split = try ProxyEnvironment(environment: ["https_proxy": "http://secure.test:1", "http_proxy": "plain.test:2"])
        #expect(split.proxy(for: "https://r.test/v2/") == ProxyServer(host: "secure.test", port: 1))
        #expect(split.proxy(for: "http://r.test/v2/") == ProxyServer(host: "plain.test", port: 2))
        let all = try ProxyEnvironment(environment: ["ALL_PROXY": "http://all.test:3", "HTTP_PROXY": "http://plain.test:4"])
        #expect(all.proxy(for: "https://r.test/v2/") == ProxyServer(host: "all.test", port: 3))
        #expect(all.proxy(for: "http://r.test/v2/") == ProxyServer(host: "plain.test", port: 4))
        #expect(try ProxyEnvironment(environment: [:]).proxy(for: "https://r.test/v2/") == nil)
    }

    @Test func lowerCaseWinsAndEmptyMeansUnset() throws {
        let both = try ProxyEnvironment(environment: ["https_proxy": "http://lower.test:1", "HTTPS_PROXY": "http://upper.test:2"])
        #expect(both.httpsProxy?.host == "lower.test")
        let empty = try ProxyEnvironment(environment: ["https_proxy": "", "HTTPS_PROXY": "http://upper.test:2", "no_proxy": "", "NO_PROXY": "*"])
        #expect(empty.httpsProxy?.host == "upper.test")
        #expect(empty.proxy(for: "https://r.test/") == nil)
    }

    @Test func proxyURLs() throws {
        #expect(try ProxyServer(parsing: "http://proxy.test", variable: "X") == ProxyServer(host: "proxy.test", port: 80))
        #expect(try ProxyServer(parsing: "proxy.test:3128", variable: "X") == ProxyServer(host: "proxy.test", port: 3128))
        #expect(
            try ProxyServer(parsing: "http://us%40r:p%3Ass@proxy.test:8080/", variable: "X")
                == ProxyServer(host: "proxy.test", port: 8080, username: "us@r", password: "p:ss"))
        #expect(try ProxyServer(parsing: "http://[::1]:3128", variable: "X") == ProxyServer(host: "::1", port: 3128))
        #expect(try ProxyServer(parsing: "socks5h://proxy.test", variable: "X") == ProxyServer(kind: .socks5, host: "proxy.test", port: 1080))
        #expect(ProxyServer(host: "p.test", port: 1, username: "me", password: "secret").description == "http://me:***@p.test:1")
        let https = #expect(throws: RegistryError.self) { try ProxyServer(parsing: "https://proxy.test", variable: "HTTPS_PROXY") }
        #expect(https?.message.contains("HTTPS_PROXY") == true)
        #expect(throws: RegistryError.self) { try ProxyServer(parsing: "http://proxy.test:99999", variable: "X") }
        #expect(throws: RegistryError.self) { try ProxyServer(parsing: "http://:80", variable: "X") }
    }
}
