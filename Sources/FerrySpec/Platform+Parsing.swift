/// Parsing and printing `os/arch[/variant]`, and the alias normalisation containerd applies
/// (`platforms.Normalize`; formats.md §4.3).
extension Platform: CustomStringConvertible {
    /// Parses a platform specifier `os/arch[/variant]`, such as `linux/arm64/v8` or `linux/x86_64`.
    ///
    /// Spellings are normalised as containerd does: the os is lowercased (`macos` becomes
    /// `darwin`); `x86_64` and `x86-64` become `amd64`, `aarch64` becomes `arm64`, `i386` and
    /// `i686` become `386`, `armhf` becomes `arm` `v7` and `armel` `arm` `v6`; a bare numeric
    /// variant gets its `v` (`arm64/8` is `arm64/v8`). A variant that was not written stays `nil`;
    /// ``normalized`` supplies the defaults used for matching.
    ///
    /// - Throws: ``SpecError`` with code `invalidPlatform` when the string is not two or three
    ///   `/`-separated parts of `[A-Za-z0-9_.-]`.
    public init(parsing string: String) throws(SpecError) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        let example = "a valid platform looks like linux/amd64 or linux/arm64/v8"
        guard !string.contains("*") else {
            throw SpecError(.invalidPlatform, "invalid platform \"\(Digest.printable(string))\": wildcards are not supported; \(example)")
        }
        guard parts.count == 2 || parts.count == 3 else {
            throw SpecError(
                .invalidPlatform,
                "invalid platform \"\(Digest.printable(string))\": expected os/arch[/variant], found \(parts.count) part\(parts.count == 1 ? "" : "s"); \(example)"
            )
        }
        for (part, role) in zip(parts, ["os", "architecture", "variant"]) {
            guard !part.isEmpty, part.utf8.allSatisfy(Self.isSpecifierByte) else {
                throw SpecError(
                    .invalidPlatform,
                    "invalid platform \"\(Digest.printable(string))\": the \(role) \"\(Digest.printable(String(part)))\" must be non-empty letters, digits, '_', '.' or '-'; \(example)"
                )
            }
        }
        let (architecture, variant) = Self.normalizeArchitectureSpelling(String(parts[1]), variant: parts.count == 3 ? String(parts[2]) : nil)
        self.init(os: Self.normalizeOS(String(parts[0])), architecture: architecture, variant: variant)
    }

    /// The platform as `os/arch[/variant]`, exactly as stored (not normalised).
    public var description: String {
        "\(os)/\(architecture)" + (variant.map { "/\($0)" } ?? "")
    }

    /// This platform in containerd's normal form (`platforms.Normalize`): aliases resolved, and
    /// variants that are the architecture's default made canonical.
    ///
    /// `arm` without a variant becomes `arm/v7`; `arm64/v8` becomes `arm64` (v8 is arm64's default);
    /// `amd64/v1` becomes `amd64`; `386` has no variant. Other fields are kept. Two platforms that
    /// normalise to the same os, architecture and variant describe the same machine.
    public var normalized: Platform {
        var result = self
        result.os = Self.normalizeOS(os)
        var (architecture, variant) = Self.normalizeArchitectureSpelling(self.architecture, variant: self.variant)
        switch architecture {
        case "amd64":
            if variant == "v1" { variant = nil }
        case "arm64":
            switch variant {
            case "v8", "v8.0": variant = nil
            case "v9.0": variant = "v9"
            default: break
            }
        case "arm":
            if variant == nil { variant = "v7" }
        default:
            break
        }
        result.architecture = architecture
        result.variant = variant
        return result
    }

    // MARK: Normalisation

    /// Lowercases an os name and maps `macos` to `darwin`.
    static func normalizeOS(_ os: String) -> String {
        let lowered = os.lowercased()
        return lowered == "macos" ? "darwin" : lowered
    }

    /// Resolves architecture aliases and variant spellings without adding or removing defaults.
    static func normalizeArchitectureSpelling(_ architecture: String, variant: String?) -> (String, String?) {
        var architecture = architecture.lowercased()
        var variant = variant?.lowercased()
        switch architecture {
        case "i386", "i686":
            return ("386", nil)
        case "x86_64", "x86-64":
            architecture = "amd64"
        case "aarch64":
            architecture = "arm64"
        case "armhf":
            return ("arm", "v7")
        case "armel":
            return ("arm", "v6")
        default:
            break
        }
        // containerd writes `arm/7` and `arm64/8` as `v7` and `v8`; the same holds for amd64 levels.
        if ["arm", "arm64", "amd64"].contains(architecture), let written = variant,
            let first = written.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        {
            variant = "v" + written
        }
        return (architecture, variant)
    }

    private static func isSpecifierByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
