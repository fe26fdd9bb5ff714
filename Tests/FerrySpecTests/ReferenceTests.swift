import FerrySpec
import Testing

private let hex256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let hex512 = String(repeating: "ab", count: 64)

@Suite("Reference parsing")
struct ReferenceParsingTests {
    /// input, domain, repository, tag, digest, fully-qualified string, familiar string
    static let valid: [(String, String, String, String?, String?, String, String)] = [
        // No "/" ⇒ docker.io/library/<name>; tag and digest kept as written (none ⇒ nil)
        ("alpine", "docker.io", "library/alpine", nil, nil, "docker.io/library/alpine", "alpine"),
        ("alpine:3.19", "docker.io", "library/alpine", "3.19", nil, "docker.io/library/alpine:3.19", "alpine:3.19"),
        ("a-b", "docker.io", "library/a-b", nil, nil, "docker.io/library/a-b", "a-b"),
        // First component without ".", ":", uppercase and not "localhost" ⇒ path on docker.io
        ("user/app:1.0", "docker.io", "user/app", "1.0", nil, "docker.io/user/app:1.0", "user/app:1.0"),
        ("library/alpine", "docker.io", "library/alpine", nil, nil, "docker.io/library/alpine", "alpine"),
        ("a/b/c", "docker.io", "a/b/c", nil, nil, "docker.io/a/b/c", "a/b/c"),
        // docker.io and index.docker.io: single-component paths get library/; familiar keeps library/ before a further "/"
        ("docker.io/alpine", "docker.io", "library/alpine", nil, nil, "docker.io/library/alpine", "alpine"),
        ("index.docker.io/alpine:3", "docker.io", "library/alpine", "3", nil, "docker.io/library/alpine:3", "alpine:3"),
        ("index.docker.io/user/app", "docker.io", "user/app", nil, nil, "docker.io/user/app", "user/app"),
        ("docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19", nil, "docker.io/library/alpine:3.19", "alpine:3.19"),
        ("docker.io/library/a/b", "docker.io", "library/a/b", nil, nil, "docker.io/library/a/b", "library/a/b"),
        // Domains: DNS names, localhost, ports, IPv4, bracketed IPv6, uppercase first component
        ("ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1", nil, "ghcr.io/org/app:v1", "ghcr.io/org/app:v1"),
        ("localhost/app", "localhost", "app", nil, nil, "localhost/app", "localhost/app"),
        ("localhost:5000/a/b:tag", "localhost:5000", "a/b", "tag", nil, "localhost:5000/a/b:tag", "localhost:5000/a/b:tag"),
        (
            "registry.example.com:443/team/app", "registry.example.com:443", "team/app", nil, nil, "registry.example.com:443/team/app",
            "registry.example.com:443/team/app"
        ),
        ("127.0.0.1:5000/x", "127.0.0.1:5000", "x", nil, nil, "127.0.0.1:5000/x", "127.0.0.1:5000/x"),
        ("[::1]:5000/x:1", "[::1]:5000", "x", "1", nil, "[::1]:5000/x:1", "[::1]:5000/x:1"),
        ("[fe80::1]/x", "[fe80::1]", "x", nil, nil, "[fe80::1]/x", "[fe80::1]/x"),
        ("my-registry.local/x", "my-registry.local", "x", nil, nil, "my-registry.local/x", "my-registry.local/x"),
        ("Foo/bar", "Foo", "bar", nil, nil, "Foo/bar", "Foo/bar"),
        // Without a "/" a port cannot be told from a tag: localhost:5000 is the image localhost, tag 5000
        ("localhost:5000", "docker.io", "library/localhost", "5000", nil, "docker.io/library/localhost:5000", "localhost:5000"),
        // Path component separators: ".", "_", "__", one or more "-"
        ("a/b.c_d__e---f/g", "docker.io", "a/b.c_d__e---f/g", nil, nil, "docker.io/a/b.c_d__e---f/g", "a/b.c_d__e---f/g"),
        // Tags: word character first, then word characters, "." and "-", up to 128 characters
        ("app:_tag", "docker.io", "library/app", "_tag", nil, "docker.io/library/app:_tag", "app:_tag"),
        ("app:A.b-C", "docker.io", "library/app", "A.b-C", nil, "docker.io/library/app:A.b-C", "app:A.b-C"),
        (
            "app:" + String(repeating: "t", count: 128), "docker.io", "library/app", String(repeating: "t", count: 128), nil,
            "docker.io/library/app:" + String(repeating: "t", count: 128), "app:" + String(repeating: "t", count: 128)
        ),
        // Digests, alone or with a tag (both are legal), on any domain; sha512 and grammatical unknown algorithms
        (
            "alpine@sha256:\(hex256)", "docker.io", "library/alpine", nil, "sha256:\(hex256)",
            "docker.io/library/alpine@sha256:\(hex256)", "alpine@sha256:\(hex256)"
        ),
        (
            "alpine:3.19@sha256:\(hex256)", "docker.io", "library/alpine", "3.19", "sha256:\(hex256)",
            "docker.io/library/alpine:3.19@sha256:\(hex256)", "alpine:3.19@sha256:\(hex256)"
        ),
        (
            "localhost:5000/a/b@sha256:\(hex256)", "localhost:5000", "a/b", nil, "sha256:\(hex256)",
            "localhost:5000/a/b@sha256:\(hex256)", "localhost:5000/a/b@sha256:\(hex256)"
        ),
        (
            "app@sha512:\(hex512)", "docker.io", "library/app", nil, "sha512:\(hex512)",
            "docker.io/library/app@sha512:\(hex512)", "app@sha512:\(hex512)"
        ),
        (
            "app@blake3:\(hex256)", "docker.io", "library/app", nil, "blake3:\(hex256)",
            "docker.io/library/app@blake3:\(hex256)", "app@blake3:\(hex256)"
        ),
        // Length: a normalised name of exactly 255 characters is accepted
        (
            "r.io/" + String(repeating: "a", count: 250), "r.io", String(repeating: "a", count: 250), nil, nil,
            "r.io/" + String(repeating: "a", count: 250), "r.io/" + String(repeating: "a", count: 250)
        ),
    ]

    @Test("parses valid references into normalised parts", arguments: valid)
    func parsesValidReference(
        input: String, domain: String, repository: String, tag: String?, digest: String?, qualified: String, familiar: String
    ) throws {
        let reference = try Reference(parsing: input)
        #expect(reference.domain == domain)
        #expect(reference.repository == repository)
        #expect(reference.name == "\(domain)/\(repository)")
        #expect(reference.tag == tag)
        #expect(reference.digest?.description == digest)
        #expect(reference.description == qualified)
        #expect(reference.familiarString == familiar)
        // The fully-qualified string parses back to the same reference.
        #expect(try Reference(parsing: reference.description) == reference)
    }

    /// input, a fragment the error message must contain (the rule that failed)
    static let invalid: [(String, String)] = [
        // Empty input and empty name
        ("", "it is empty"),
        (":tag", "repository name is empty"),
        ("@sha256:\(hex256)", "repository name is empty"),
        // Path must be lowercase (also under docker.io and after a real domain)
        ("Alpine", "must be lowercase"),
        ("user/App", "must be lowercase"),
        ("docker.io/Library/alpine", "must be lowercase"),
        ("ghcr.io/Org/app:1", "must be lowercase"),
        // Path component grammar: no empty components, separators only between alphanumerics
        ("a//b", "empty component"),
        ("a/", "empty component"),
        ("/a", "empty component"),
        ("-a", "path component \"-a\""),
        ("a-", "path component \"a-\""),
        ("a..b", "path component \"a..b\""),
        ("a___b", "path component \"a___b\""),
        ("a b", "path component \"a b\""),
        ("ghcr.io/org/ä", "path component"),
        // Domain grammar: DNS labels without edge dashes or underscores, numeric port, bracketed hex IPv6
        ("host:port/x", "registry \"host:port\""),
        ("localhost:/x", "registry \"localhost:\""),
        ("exa_mple.com/x", "registry \"exa_mple.com\""),
        ("-bad.com/x", "registry \"-bad.com\""),
        ("bad-.com/x", "registry \"bad-.com\""),
        ("a..com/x", "registry \"a..com\""),
        ("[::1/x", "registry \"[::1\""),
        ("[zz::1]:5000/x", "registry \"[zz::1]:5000\""),
        ("[::1]5000/x", "registry \"[::1]5000\""),
        // Tag grammar and length
        ("alpine:", "the tag \"\""),
        ("alpine:-bad", "the tag \"-bad\""),
        ("alpine:.bad", "the tag \".bad\""),
        ("alpine:a+b", "the tag \"a+b\""),
        ("alpine:" + String(repeating: "t", count: 129), "129 characters long, the limit is 128"),
        // Digest: reference grammar (algorithm starts with a letter, ≥32 hex digits) and Ferry's Digest rules
        ("alpine@", "the digest \"\""),
        ("alpine@sha256:abc", "at least 32 hex digits"),
        ("alpine@1sha:\(hex256)", "algorithm starting with a letter"),
        ("alpine@sha256:../x", "the digest \"sha256:../x\""),
        ("alpine@sha256", "the digest \"sha256\""),
        ("alpine@SHA256:\(hex256)", "the digest is not valid"),
        ("alpine@sha256:\(hex256.uppercased())", "must be lowercase hex"),
        ("alpine@sha256:\(hex256.dropLast())", "needs 64 hex characters, found 63"),
        ("alpine@sha256:\(hex256)@sha256:\(hex256)", "is not ALGORITHM:HEX"),
        // A bare 64-hex string is an image ID, not a name
        (hex256, "image ID"),
        ("\(hex256):latest", "image ID"),
        // Name length: 256 characters after normalisation is one too many
        ("r.io/" + String(repeating: "a", count: 251), "256 characters long, the limit is 255"),
        (String(repeating: "a", count: 238), "256 characters long, the limit is 255"),
    ]

    @Test("rejects references that break a grammar rule", arguments: invalid)
    func rejectsInvalidReference(input: String, rule: String) {
        let error = #expect(throws: SpecError.self) { try Reference(parsing: input) }
        #expect(error?.code == .invalidReference)
        #expect(error?.message.contains(rule) == true, "message: \(error?.message ?? "none")")
        #expect(error?.message.contains("docker.io/library/alpine:3.19") == true)
    }

    @Test("the error message quotes the input")
    func errorQuotesInput() {
        let error = #expect(throws: SpecError.self) { try Reference(parsing: "user/App:1") }
        #expect(error?.message.hasPrefix("invalid reference \"user/App:1\": ") == true)
    }

    @Test("the digest decides which manifest is meant when a tag is also given")
    func digestAndTagTogether() throws {
        let reference = try Reference(parsing: "alpine:3.19@sha256:\(hex256)")
        let digest = try #require(reference.digest)
        #expect(digest.algorithm == "sha256")
        #expect(digest.encoded == hex256)
        #expect(reference.tag == "3.19")
    }
}

@Suite("Reference normalisation")
struct ReferenceNormalisationTests {
    static let cases: [(String, String)] = [
        // Neither tag nor digest ⇒ latest
        ("alpine", "docker.io/library/alpine:latest"),
        ("localhost:5000/a/b", "localhost:5000/a/b:latest"),
        // A written tag or digest is kept, no latest added
        ("alpine:3.19", "docker.io/library/alpine:3.19"),
        ("alpine@sha256:\(hex256)", "docker.io/library/alpine@sha256:\(hex256)"),
        ("alpine:edge@sha256:\(hex256)", "docker.io/library/alpine:edge@sha256:\(hex256)"),
    ]

    @Test("normalized adds the default tag only when nothing was written", arguments: cases)
    func normalizedAddsLatest(input: String, expected: String) throws {
        let reference = try Reference(parsing: input)
        #expect(reference.normalized.description == expected)
    }

    @Test("parsing keeps what was written; normalisation is a separate view")
    func parseKeepsWrittenTag() throws {
        let written = try Reference(parsing: "alpine")
        #expect(written.tag == nil)
        #expect(written.normalized.tag == "latest")
        #expect(written != written.normalized)
        #expect(written.normalized == (try Reference(parsing: "docker.io/library/alpine:latest")))
    }

    static let familiar: [(String, String)] = [
        // Drop docker.io/, then library/ when no further "/" follows
        ("docker.io/library/alpine", "alpine"),
        ("docker.io/library/a/b", "library/a/b"),
        ("docker.io/user/app", "user/app"),
        // Other registries keep their domain
        ("ghcr.io/library/alpine", "ghcr.io/library/alpine"),
        ("localhost:5000/app", "localhost:5000/app"),
    ]

    @Test("familiarName drops docker.io/ and library/", arguments: familiar)
    func familiarName(input: String, expected: String) throws {
        #expect(try Reference(parsing: input).familiarName == expected)
    }

    @Test("equal references compare and hash equal regardless of spelling")
    func spellingsAreEqual() throws {
        let spellings = ["alpine:3", "library/alpine:3", "docker.io/alpine:3", "index.docker.io/library/alpine:3"]
        let references = try spellings.map { try Reference(parsing: $0) }
        #expect(Set(references).count == 1)
    }
}

@Suite("Tag and layout name validators")
struct ReferenceValidatorTests {
    static let tags: [(String, Bool)] = [
        // Word character first, then word characters, "." and "-"
        ("latest", true), ("3.19", true), ("_x", true), ("v1.0-rc.1", true), ("A_B", true),
        ("", false), (".x", false), ("-x", false), ("a:b", false), ("a/b", false), ("a+b", false), ("ä", false),
        // At most 128 characters
        (String(repeating: "x", count: 128), true), (String(repeating: "x", count: 129), false),
    ]

    @Test("isValidTag follows [\\w][\\w.-]{0,127}", arguments: tags)
    func tagValidity(tag: String, valid: Bool) {
        #expect(Reference.isValidTag(tag) == valid)
    }

    static let layoutNames: [(String, Bool)] = [
        // Components of alphanumerics joined by one of - . _ : @ + or by "--", themselves joined by "/"
        ("latest", true), ("3.19", true), ("alpine:3.19", true), ("docker.io/library/alpine:3.19", true),
        ("a--b", true), ("v1.0+build", true), ("name@sha256:abc", true), ("Upper_Case", true),
        // Empty components, leading/trailing/doubled separators and characters outside the grammar
        ("", false), ("-a", false), ("a-", false), ("a//b", false), ("/a", false), ("a/", false),
        ("a---b", false), ("a-.b", false), ("a b", false), ("ä", false), ("a__b", false),
    ]

    @Test("isValidLayoutReferenceName follows the image-spec ref.name grammar", arguments: layoutNames)
    func layoutNameValidity(name: String, valid: Bool) {
        #expect(Reference.isValidLayoutReferenceName(name) == valid)
    }
}
