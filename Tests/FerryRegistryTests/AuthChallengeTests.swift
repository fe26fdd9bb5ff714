import FerryRegistry
import Testing

@Suite struct AuthChallengeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var headers: [String]
        var expected: [AuthChallenge]
        var testDescription: String { headers.joined(separator: " | ") }
    }

    static let cases: [Case] = [
        // Basic with a realm; scheme is case-insensitive and lower-cased.
        Case(headers: [#"Basic realm="Registry Realm""#], expected: [AuthChallenge(scheme: "basic", parameters: ["realm": "Registry Realm"])]),
        Case(headers: [#"BASIC realm=x"#], expected: [AuthChallenge(scheme: "basic", parameters: ["realm": "x"])]),
        // Bearer with realm, service and a scope holding spaces and colons.
        Case(
            headers: [#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push repository:c:pull""#],
            expected: [
                AuthChallenge(
                    scheme: "bearer",
                    parameters: ["realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull,push repository:c:pull"])
            ]),
        // Whitespace around "=" and ",", parameter names case-insensitive.
        Case(headers: [#"Bearer  Realm = "r" ,  Service="s""#], expected: [AuthChallenge(scheme: "bearer", parameters: ["realm": "r", "service": "s"])]),
        // Quoted values with backslash escapes and commas inside.
        Case(
            headers: [#"Bearer realm="a\"b\\c,d",error="insufficient_scope""#],
            expected: [AuthChallenge(scheme: "bearer", parameters: ["realm": #"a"b\c,d"#, "error": "insufficient_scope"])]),
        // Several challenges in one header, and across headers.
        Case(
            headers: [#"Basic realm="x", Bearer realm="y",service="z""#],
            expected: [
                AuthChallenge(scheme: "basic", parameters: ["realm": "x"]), AuthChallenge(scheme: "bearer", parameters: ["realm": "y", "service": "z"]),
            ]),
        Case(
            headers: [#"Basic realm="x""#, #"Bearer realm="y""#],
            expected: [AuthChallenge(scheme: "basic", parameters: ["realm": "x"]), AuthChallenge(scheme: "bearer", parameters: ["realm": "y"])]),
        // A scheme with no parameters, followed by another.
        Case(
            headers: ["Negotiate, Basic realm=r"], expected: [AuthChallenge(scheme: "negotiate"), AuthChallenge(scheme: "basic", parameters: ["realm": "r"])]),
        // Malformed input yields what can be read, never a crash.
        Case(headers: [#"Bearer realm="unterminated"#], expected: [AuthChallenge(scheme: "bearer", parameters: ["realm": "unterminated"])]),
        Case(headers: [""], expected: []),
        Case(headers: [", ,"], expected: []),
    ]

    @Test(arguments: cases)
    func parsesChallenges(_ c: Case) {
        #expect(AuthChallenge.parse(c.headers) == c.expected)
    }

    @Test func exposesScopesAndError() {
        let c = AuthChallenge.parse([#"Bearer realm="r",scope="repository:a:pull repository:b:push",error="insufficient_scope""#])[0]
        #expect(c.scopes == ["repository:a:pull", "repository:b:push"])
        #expect(c.error == "insufficient_scope")
        #expect(c.realm == "r")
        #expect(c.service == nil)
    }
}
