import FerrySpec
import Testing

/// The TOML subset registries.conf files use: what parses to what, and errors that name
/// `file:line`.
@Suite struct TOMLSubsetTests {
    @Test func readsARegistriesConfWithMirrorsAndAliases() throws {
        let text = """
            # comment
            unqualified-search-registries = ["docker.io", 'quay.io',]   # trailing comma
            short-name-mode = "enforcing"

            [[registry]]
            prefix = "example.com/foo"
            location = "internal:5000/foo"
            insecure = true

            [[registry.mirror]]
            location = "mirror-1.local"
            pull-from-mirror = "digest-only"

            [[registry.mirror]]
            location = "mirror-2.local"
            insecure = false

            [[registry]]
            location = "other.local"
            blocked = true

            [aliases]
              "fedora" = "registry.fedoraproject.org/fedora"
              "opensuse/leap" = "registry.opensuse.org/opensuse/leap"
            """
        let root = try TOMLSubset.parse(text, file: "r.conf")
        #expect(root["unqualified-search-registries"] == .array([.string("docker.io"), .string("quay.io")]))
        #expect(root["short-name-mode"] == .string("enforcing"))
        let registries = try #require(root["registry"]?.array)
        #expect(registries.count == 2)
        let first = try #require(registries[0].table)
        #expect(first.line == 5)
        #expect(first["prefix"] == .string("example.com/foo"))
        #expect(first["insecure"] == .boolean(true))
        #expect(first.line(of: "insecure") == 8)
        let mirrorList = try #require(first["mirror"]?.array)
        let mirrors = mirrorList.compactMap { $0.table }
        #expect(mirrors.map { $0["location"] } == [.string("mirror-1.local"), .string("mirror-2.local")])
        #expect(mirrors[0]["pull-from-mirror"] == .string("digest-only"))
        #expect(mirrors[1].line == 14)
        #expect(registries[1].table?["blocked"] == .boolean(true))
        #expect(registries[1].table?["mirror"] == nil)
        #expect(root["aliases"]?.table?["opensuse/leap"] == .string("registry.opensuse.org/opensuse/leap"))
    }

    /// Values: (TOML after `k = `, the value read).
    static let values: [(String, TOMLValue)] = [
        (#""a\"b\\c\u00e9\tx""#, .string("a\"b\\cé\tx")),
        ("'C:\\no\\escapes'", .string("C:\\no\\escapes")),
        ("true", .boolean(true)),
        ("false", .boolean(false)),
        ("42", .integer(42)),
        ("-7", .integer(-7)),
        ("1_000", .integer(1000)),
        ("[]", .array([])),
        ("[ 1, [2, \"x\"] ]", .array([.integer(1), .array([.integer(2), .string("x")])])),
        ("[\n  \"a\", # one\n  \"b\"\n]", .array([.string("a"), .string("b")])),
    ]

    @Test(arguments: values)
    func readsValues(_ toml: String, _ expected: TOMLValue) throws {
        let root = try TOMLSubset.parse("k = \(toml)\n", file: "f")
        #expect(root["k"] == expected)
    }

    @Test func readsInlineTablesAndDottedKeys() throws {
        let root = try TOMLSubset.parse("a.b = 1\nm = { location = \"x\", insecure = true }\n[t]\n\"q.k\" = 2\n", file: "f")
        #expect(root["a"]?.table?["b"] == .integer(1))
        #expect(root["m"]?.table?["location"] == .string("x"))
        #expect(root["m"]?.table?["insecure"] == .boolean(true))
        #expect(root["t"]?.table?["q.k"] == .integer(2))
    }

    /// Errors: (input, the message: file:line first).
    static let errors: [(String, String)] = [
        ("a = \"open\n", "f:1: the string is not closed with \""),
        ("\n\nb = 1.5\n", "f:3: \"1.5\" is not a value this file may hold"),
        ("x = 2024-01-01\n", "f:1: \"2024-01-01\" is not a value"),
        ("[t]\nk = 1\n[t]\n", "f:3: table [t] is defined twice"),
        ("k = 1\nk = 2\n", "f:2: k is set twice (first on line 1)"),
        ("k = 1 2\n", "f:1: expected the line to end after the value"),
        ("k 1\n", "f:1: expected = after the key k"),
        ("k = [1, 2\n", "f:2: the array is not closed with ]"),
        ("[t\n", "f:1: expected ] to close the table header"),
        ("k = \"\"\"x\"\"\"\n", "f:1: multi-line strings are not supported"),
        ("k = 1\n[[k]]\n", "f:2: k already holds a value (integer), not an array of tables"),
        ("k = \"\\q\"\n", "f:1: \\q is not an escape TOML knows"),
        ("= 1\n", "f:1: expected a key, found \"=\""),
    ]

    @Test(arguments: errors)
    func namesFileAndLine(_ input: String, _ message: String) {
        #expect {
            _ = try TOMLSubset.parse(input, file: "f")
        } throws: { error in
            guard let error = error as? SpecError, error.code == .invalidDocument else { return false }
            return error.message.hasPrefix(message)
        }
    }
}
