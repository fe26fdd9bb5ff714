import FerryRegistry
import Testing

/// The credential rule as a table: which URLs may carry a registry's credentials, and which token
/// realms may receive the password.
@Suite struct CredentialBindingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var registry: String
        var url: String
        var authorized: Bool
        var testDescription: String { "\(url) from \(registry): \(authorized)" }
    }

    static let cases: [Case] = [
        Case(registry: "https://registry.example", url: "https://registry.example/v2/a/tags/list?n=1", authorized: true),
        Case(registry: "https://registry.example", url: "https://REGISTRY.example:443/v2/a/blobs/uploads/u", authorized: true),
        // Another host, another port, another scheme (a downgrade to plain HTTP): another origin.
        Case(registry: "https://registry.example", url: "https://cdn.example/blob", authorized: false),
        Case(registry: "https://registry.example", url: "https://registry.example.evil/v2/", authorized: false),
        Case(registry: "https://registry.example", url: "https://registry.example:8443/v2/", authorized: false),
        Case(registry: "https://registry.example", url: "http://registry.example/v2/a/tags/list", authorized: false),
        Case(registry: "http://127.0.0.1:5000", url: "http://127.0.0.1:5001/v2/", authorized: false),
        Case(registry: "http://127.0.0.1:5000", url: "http://localhost:5000/v2/", authorized: false),
        Case(registry: "http://127.0.0.1:5000", url: "http://127.0.0.1:5000/v2/_catalog?last=x", authorized: true),
        // User information does not change the origin, nor smuggle another host past the check.
        Case(registry: "https://registry.example", url: "https://registry.example@evil.example/v2/", authorized: false),
    ]

    @Test(arguments: cases)
    func bindsCredentialsToTheRegistryOrigin(_ c: Case) {
        #expect(CredentialBinding(registryBaseURL: c.registry, tlsVerify: true).authorizes(c.url) == c.authorized)
    }

    @Test(arguments: [
        ("https://auth.example/token", true, true),
        ("https://auth.example/token", false, true),
        // Plain HTTP: only to this machine, or when the user turned verification off.
        ("http://auth.example/token", true, false),
        ("http://auth.example/token", false, true),
        ("http://127.0.0.1:9000/token", true, true),
        ("http://localhost/token", true, true),
        ("http://[::1]:9000/token", true, true),
        // Never another scheme, never a relative realm.
        ("ftp://auth.example/token", false, false),
        ("file:///token", false, false),
        ("/token", true, false),
    ])
    func sendsPasswordsOnlyToSafeRealms(_ realm: String, _ tlsVerify: Bool, _ allowed: Bool) {
        let binding = CredentialBinding(registryBaseURL: "https://registry.example", tlsVerify: tlsVerify)
        #expect((binding.refusal(ofRealm: realm) == nil) == allowed)
    }
}
