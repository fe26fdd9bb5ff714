import FerrySpec
import Testing

@Suite("Platform parsing")
struct PlatformParsingTests {
    /// input, os, architecture, variant, description
    static let valid: [(String, String, String, String?, String)] = [
        // Plain os/arch and os/arch/variant are kept as written
        ("linux/amd64", "linux", "amd64", nil, "linux/amd64"),
        ("linux/arm64/v8", "linux", "arm64", "v8", "linux/arm64/v8"),
        ("linux/arm/v6", "linux", "arm", "v6", "linux/arm/v6"),
        ("windows/amd64", "windows", "amd64", nil, "windows/amd64"),
        ("linux/ppc64le/power9", "linux", "ppc64le", "power9", "linux/ppc64le/power9"),
        // Architecture aliases (containerd normalizeArch)
        ("linux/x86_64", "linux", "amd64", nil, "linux/amd64"),
        ("linux/x86-64", "linux", "amd64", nil, "linux/amd64"),
        ("linux/aarch64", "linux", "arm64", nil, "linux/arm64"),
        ("linux/armhf", "linux", "arm", "v7", "linux/arm/v7"),
        ("linux/armel", "linux", "arm", "v6", "linux/arm/v6"),
        ("linux/i386", "linux", "386", nil, "linux/386"),
        ("linux/i686", "linux", "386", nil, "linux/386"),
        // Bare numeric variants get their "v"
        ("linux/arm64/8", "linux", "arm64", "v8", "linux/arm64/v8"),
        ("linux/aarch64/8", "linux", "arm64", "v8", "linux/arm64/v8"),
        ("linux/arm/7", "linux", "arm", "v7", "linux/arm/v7"),
        ("linux/amd64/3", "linux", "amd64", "v3", "linux/amd64/v3"),
        // os lowercased, macos ⇒ darwin; arch and variant lowercased
        ("Linux/AMD64", "linux", "amd64", nil, "linux/amd64"),
        ("macOS/arm64", "darwin", "arm64", nil, "darwin/arm64"),
        ("linux/ARM/V7", "linux", "arm", "v7", "linux/arm/v7"),
        // Dotted variants are allowed
        ("linux/arm64/v8.2", "linux", "arm64", "v8.2", "linux/arm64/v8.2"),
    ]

    @Test("parses os/arch[/variant] and resolves aliases", arguments: valid)
    func parsesPlatform(input: String, os: String, architecture: String, variant: String?, description: String) throws {
        let platform = try Platform(parsing: input)
        #expect(platform.os == os)
        #expect(platform.architecture == architecture)
        #expect(platform.variant == variant)
        #expect(platform.description == description)
        #expect(try Platform(parsing: platform.description) == platform)
    }

    static let invalid: [(String, String)] = [
        // Two or three parts only
        ("", "found 1 part;"),
        ("linux", "found 1 part;"),
        ("linux/arm/v7/extra", "found 4 parts"),
        // Parts must be non-empty [A-Za-z0-9_.-]
        ("linux/", "the architecture \"\""),
        ("/amd64", "the os \"\""),
        ("linux/arm/", "the variant \"\""),
        ("linux/am d64", "the architecture \"am d64\""),
        ("lin:ux/amd64", "the os \"lin:ux\""),
        // Wildcards are not supported
        ("linux/*", "wildcards are not supported"),
    ]

    @Test("rejects malformed platform strings", arguments: invalid)
    func rejectsInvalidPlatform(input: String, rule: String) {
        let error = #expect(throws: SpecError.self) { try Platform(parsing: input) }
        #expect(error?.code == .invalidPlatform)
        #expect(error?.message.contains(rule) == true, "message: \(error?.message ?? "none")")
        #expect(error?.message.contains("\"\(input)\"") == true)
    }
}

@Suite("Platform normalisation")
struct PlatformNormalisationTests {
    static let cases: [(Platform, String)] = [
        // arm defaults to v7
        (Platform(os: "linux", architecture: "arm"), "linux/arm/v7"),
        (Platform(os: "linux", architecture: "arm", variant: "v6"), "linux/arm/v6"),
        // arm64/v8 (and v8.0, 8) is arm64's default and is dropped; v9.0 is v9
        (Platform(os: "linux", architecture: "arm64", variant: "v8"), "linux/arm64"),
        (Platform(os: "linux", architecture: "arm64", variant: "v8.0"), "linux/arm64"),
        (Platform(os: "linux", architecture: "aarch64", variant: "8"), "linux/arm64"),
        (Platform(os: "linux", architecture: "arm64", variant: "9.0"), "linux/arm64/v9"),
        (Platform(os: "linux", architecture: "arm64", variant: "v8.2"), "linux/arm64/v8.2"),
        // amd64/v1 is amd64's default and is dropped; higher levels are kept
        (Platform(os: "linux", architecture: "x86_64", variant: "v1"), "linux/amd64"),
        (Platform(os: "linux", architecture: "amd64", variant: "v3"), "linux/amd64/v3"),
        // Aliases and case in values read from JSON
        (Platform(os: "MacOS", architecture: "armhf"), "darwin/arm/v7"),
        (Platform(os: "linux", architecture: "i386", variant: "x"), "linux/386"),
    ]

    @Test("normalized follows containerd's platforms.Normalize", arguments: cases)
    func normalizes(platform: Platform, expected: String) {
        #expect(platform.normalized.description == expected)
    }

    @Test("normalized keeps os.version and os.features")
    func normalizedKeepsOtherFields() {
        let windows = Platform(os: "Windows", architecture: "AMD64", osVersion: "10.0.17763.1", osFeatures: ["win32k"])
        let normalized = windows.normalized
        #expect(normalized.os == "windows")
        #expect(normalized.architecture == "amd64")
        #expect(normalized.osVersion == "10.0.17763.1")
        #expect(normalized.osFeatures == ["win32k"])
    }
}

@Suite("Platform matching")
struct PlatformMatchingTests {
    /// wanted, candidate, expected rank (nil = does not match)
    static let cases: [(String, String, Int?)] = [
        // Same os and architecture, same variant
        ("linux/amd64", "linux/amd64", 0),
        ("linux/arm/v7", "linux/arm/v7", 0),
        // Aliases normalise before comparing
        ("linux/x86_64", "linux/amd64", 0),
        ("linux/aarch64", "linux/arm64", 0),
        ("linux/armhf", "linux/arm/v7", 0),
        ("macos/arm64", "darwin/arm64", 0),
        // arm64/v8 is the default: with or without the variant they match both ways
        ("linux/arm64/v8", "linux/arm64", 0),
        ("linux/arm64", "linux/arm64/v8", 0),
        // arm defaults to v7
        ("linux/arm", "linux/arm/v7", 0),
        ("linux/arm/v7", "linux/arm", 0),
        // arm runs older variants down to v5, preferring the newest; never newer ones
        ("linux/arm/v7", "linux/arm/v6", 1),
        ("linux/arm/v7", "linux/arm/v5", 2),
        ("linux/arm/v8", "linux/arm/v5", 3),
        ("linux/arm/v6", "linux/arm/v7", nil),
        ("linux/arm", "linux/arm/v8", nil),
        // amd64 levels: v3 runs v2 and v1 (plain amd64); v1 does not run v2
        ("linux/amd64/v3", "linux/amd64/v3", 0),
        ("linux/amd64/v3", "linux/amd64/v2", 1),
        ("linux/amd64/v3", "linux/amd64", 2),
        ("linux/amd64/v4", "linux/amd64/v1", 3),
        ("linux/amd64", "linux/amd64/v2", nil),
        ("linux/amd64/v2", "linux/amd64/v3", nil),
        // arm64 variants other than the default must be equal (no downgrade in containerd)
        ("linux/arm64/v8.2", "linux/arm64", nil),
        ("linux/arm64", "linux/arm64/v9", nil),
        // Different os or architecture never matches; no cross-architecture fallback
        ("linux/amd64", "windows/amd64", nil),
        ("linux/arm64", "linux/amd64", nil),
        ("linux/amd64", "linux/386", nil),
        ("linux/arm64", "linux/arm/v7", nil),
        ("linux/ppc64le/power9", "linux/ppc64le/power8", nil),
    ]

    @Test("compatibilityRank follows containerd's Only matcher within one architecture", arguments: cases)
    func rank(wanted: String, candidate: String, expected: Int?) throws {
        let wantedPlatform = try Platform(parsing: wanted)
        let candidatePlatform = try Platform(parsing: candidate)
        #expect(wantedPlatform.compatibilityRank(of: candidatePlatform) == expected)
        #expect(wantedPlatform.matches(candidatePlatform) == (expected != nil))
    }
}

@Suite("Choosing an index entry")
struct PlatformBestMatchTests {
    static func entry(_ platform: String?, _ number: Int, annotations: [String: String]? = nil) throws -> Descriptor {
        let hex = String(repeating: String(number % 10), count: 64)
        return Descriptor(
            mediaType: .ociManifest, digest: try Digest(.sha256, hex: hex), size: 100,
            annotations: annotations, platform: try platform.map { try Platform(parsing: $0) })
    }

    @Test("the first matching entry wins")
    func firstMatchWins() throws {
        let entries = [try Self.entry("linux/amd64", 1), try Self.entry("linux/arm64", 2), try Self.entry("linux/arm64/v8", 3)]
        let chosen = try #require(try Platform(parsing: "linux/arm64").bestMatch(in: entries))
        #expect(chosen == entries[1])
    }

    @Test("an exact variant beats an older compatible one listed earlier")
    func exactVariantBeatsOlder() throws {
        let entries = [try Self.entry("linux/arm/v6", 1), try Self.entry("linux/arm/v7", 2)]
        let chosen = try #require(try Platform(parsing: "linux/arm/v7").bestMatch(in: entries))
        #expect(chosen == entries[1])
    }

    @Test("an older compatible variant is chosen when nothing better exists")
    func olderVariantAsFallback() throws {
        let entries = [try Self.entry("linux/amd64", 1), try Self.entry("linux/arm/v5", 2), try Self.entry("linux/arm/v6", 3)]
        let chosen = try #require(try Platform(parsing: "linux/arm/v7").bestMatch(in: entries))
        #expect(chosen == entries[2])
    }

    @Test("attestations, unknown/unknown and entries without a platform are skipped")
    func skipsAttestationsAndUnknown() throws {
        let attestation = [AnnotationKey.dockerReferenceType: "attestation-manifest"]
        let entries = [
            try Self.entry(nil, 1),
            try Self.entry("unknown/unknown", 2),
            try Self.entry("linux/amd64", 3, annotations: attestation),
            try Self.entry("linux/amd64", 4),
        ]
        #expect(entries[2].isAttestationManifest)
        #expect(!entries[3].isAttestationManifest)
        let chosen = try #require(try Platform(parsing: "linux/amd64").bestMatch(in: entries))
        #expect(chosen == entries[3])
        #expect(try Platform(parsing: "unknown/unknown").bestMatch(in: entries) == nil)
    }

    @Test("no entry fits ⇒ nil")
    func noMatch() throws {
        let entries = [try Self.entry("linux/amd64", 1), try Self.entry("windows/amd64", 2)]
        #expect(try Platform(parsing: "linux/s390x").bestMatch(in: entries) == nil)
        #expect(try Platform(parsing: "linux/amd64").bestMatch(in: []) == nil)
    }
}
