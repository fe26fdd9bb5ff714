import FerryRegistry
import Testing

@Suite struct RegistryURLTests {
    struct Resolution: Sendable, CustomTestStringConvertible {
        var location: String
        var base: String
        var expected: String
        var testDescription: String { "\(location) against \(base)" }
    }

    static let resolutions: [Resolution] = [
        // Absolute URLs are kept as they are (another host, another scheme).
        Resolution(location: "https://blobs.example/up/1?_state=x", base: "http://r:5000/v2/a/blobs/uploads/", expected: "https://blobs.example/up/1?_state=x"),
        Resolution(location: "HTTP://r:5000/x", base: "https://r/v2/", expected: "HTTP://r:5000/x"),
        // Scheme-relative takes the request's scheme.
        Resolution(location: "//other:1/v2/u", base: "https://r/v2/a/blobs/uploads/", expected: "https://other:1/v2/u"),
        // Absolute paths keep the request's origin; distribution sends these.
        Resolution(
            location: "/v2/a/blobs/uploads/uuid?_state=abc%3D%3D", base: "http://127.0.0.1:5000/v2/a/blobs/uploads/",
            expected: "http://127.0.0.1:5000/v2/a/blobs/uploads/uuid?_state=abc%3D%3D"),
        Resolution(location: "/v2/x", base: "http://r:5000", expected: "http://r:5000/v2/x"),
        // Relative paths replace the last segment, with dot segments removed.
        Resolution(location: "uuid", base: "http://r/v2/a/blobs/uploads/", expected: "http://r/v2/a/blobs/uploads/uuid"),
        Resolution(location: "uuid", base: "http://r/v2/a/blobs/uploads/old?q=1", expected: "http://r/v2/a/blobs/uploads/uuid"),
        Resolution(location: "../tags/list?n=1&last=b", base: "http://r/v2/a/blobs/x", expected: "http://r/v2/a/tags/list?n=1&last=b"),
        Resolution(location: "./u", base: "http://r/v2/a/", expected: "http://r/v2/a/u"),
        // A query alone replaces the query.
        Resolution(location: "?n=2", base: "http://r/v2/a/tags/list?n=1", expected: "http://r/v2/a/tags/list?n=2"),
    ]

    @Test(arguments: resolutions)
    func resolvesLocations(_ r: Resolution) {
        #expect(RegistryURL.resolve(r.location, against: r.base) == r.expected)
    }

    @Test(arguments: [
        // No query: "?"; an opaque query is kept and "&" added.
        ("http://r/v2/a/blobs/uploads/u", "http://r/v2/a/blobs/uploads/u?digest=sha256%3Aab"),
        ("http://r/v2/a/blobs/uploads/u?_state=x%3D", "http://r/v2/a/blobs/uploads/u?_state=x%3D&digest=sha256%3Aab"),
        ("http://r/u?", "http://r/u?digest=sha256%3Aab"),
    ])
    func appendsDigestQuery(_ url: String, _ expected: String) {
        #expect(RegistryURL.appendingQuery(url, name: "digest", value: "sha256:ab") == expected)
    }

    @Test(
        arguments: [
            (#"</v2/a/tags/list?last=b&n=1>; rel="next""#, "/v2/a/tags/list?last=b&n=1"),
            (#"<https://r/v2/_catalog?n=2&last=x>; rel=next"#, "https://r/v2/_catalog?n=2&last=x"),
            (#"</p1>; rel="prev", </p3>; rel="next""#, "/p3"),
            (#"</p1>; rel="prev""#, nil),
            ("", nil),
        ] as [(String, String?)])
    func findsNextLink(_ header: String, _ expected: String?) {
        #expect(RegistryURL.nextLink(header) == expected)
    }

    @Test(arguments: [
        // Path, query, case, user information and the scheme's default port do not matter.
        ("https://Blobs.Example:443/a?b", "https://blobs.example"),
        ("http://r:80/v2/", "http://r"),
        ("https://user:pw@r:5000/v2/", "https://r:5000"),
        // Another port or scheme is another origin.
        ("http://r:443/v2/", "http://r:443"),
        ("https://[::1]:5000/v2/", "https://[::1]:5000"),
    ])
    func originIgnoresPathCaseAndDefaultPort(_ url: String, _ expected: String) {
        #expect(RegistryURL.origin(url) == expected)
    }

    @Test(
        arguments: [
            ("https://r/x", "https"), ("HTTP://r/x", "http"), ("file:///etc/passwd", "file"), ("ftp://h/x", "ftp"),
            ("javascript:alert(1)", "javascript"), ("/v2/a/blobs/uploads/u", nil), ("//other/v2/", nil),
            ("uploads/u?_state=a:b", nil), ("?n=2", nil), ("", nil),
        ] as [(String, String?)])
    func findsSchemes(_ reference: String, _ expected: String?) {
        #expect(RegistryURL.scheme(of: reference) == expected)
    }

    @Test(arguments: ["file:///etc/passwd", "ftp://h/x", "gopher://h/", "data:text/plain,x"])
    func refusesNonHTTPTargets(_ location: String) {
        #expect(throws: RegistryError.self) {
            _ = try RegistryURL.follow(location, against: "http://r/v2/a/blobs/uploads/", what: "the upload Location")
        }
        do {
            _ = try RegistryURL.follow(location, against: "http://r/v2/a/blobs/uploads/", what: "the upload Location")
        } catch {
            #expect(error.message.contains("the upload Location"))
            #expect(error.message.contains("not http or https"))
        }
    }

    @Test(arguments: ["https://o/x", "/v2/x", "u", "//o/v2/"])
    func followsHTTPTargets(_ location: String) throws {
        #expect(try RegistryURL.follow(location, against: "https://r/v2/a/", what: "a Link") == RegistryURL.resolve(location, against: "https://r/v2/a/"))
    }
}
