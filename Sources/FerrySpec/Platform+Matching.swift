/// Choosing an image for a wanted platform, as containerd's default matcher
/// (`platforms.Only`) does, restricted to the wanted architecture (formats.md §4.2, §4.3).
extension Platform {
    /// Whether this is the `unknown/unknown` platform BuildKit gives attestation manifests.
    public var isUnknown: Bool {
        os.lowercased() == "unknown" && architecture.lowercased() == "unknown"
    }

    /// Whether an image built for `candidate` runs where `self` (the wanted platform) is asked for.
    ///
    /// See ``compatibilityRank(of:)`` for the rules.
    public func matches(_ candidate: Platform) -> Bool {
        compatibilityRank(of: candidate) != nil
    }

    /// How well an image built for `candidate` fits the wanted platform `self`: `0` for the same
    /// platform, `n` for a variant `n` steps older that still runs, `nil` when it does not run.
    ///
    /// Both platforms are compared in their ``normalized`` form, so aliases and default variants
    /// match (`linux/aarch64` and `linux/arm64/v8` are `linux/arm64`; `linux/arm` is `linux/arm/v7`).
    /// The os and architecture must be equal. Variants must be equal, except that, as in
    /// containerd, an `arm` machine also runs older `arm` variants down to `v5` (a wanted `arm/v7`
    /// accepts `v6` and `v5`) and an `amd64` machine runs older micro-architecture levels down to
    /// `v1` (a wanted `amd64/v3` accepts `v2` and plain `amd64`). Unlike containerd's matcher this
    /// never crosses architectures (no `386` for `amd64`, no `arm` for `arm64`), and `os.version`
    /// and `os.features` are not compared.
    public func compatibilityRank(of candidate: Platform) -> Int? {
        let wanted = normalized
        let offered = candidate.normalized
        guard wanted.os == offered.os, wanted.architecture == offered.architecture else { return nil }
        if wanted.variant == offered.variant { return 0 }
        let lowestVersion: Int
        switch wanted.architecture {
        case "arm": lowestVersion = 5
        case "amd64": lowestVersion = 1
        default: return nil
        }
        // After normalisation, an amd64 without a variant is level v1.
        guard let wantedVersion = Self.variantVersion(wanted.variant ?? "v1"),
            let offeredVersion = Self.variantVersion(offered.variant ?? "v1"),
            offeredVersion >= lowestVersion, offeredVersion <= wantedVersion
        else { return nil }
        return wantedVersion - offeredVersion
    }

    /// The index entry to run on this platform, or `nil` if none fits.
    ///
    /// Entries without a platform, with the `unknown/unknown` platform, or marked as BuildKit
    /// attestations (`vnd.docker.reference.type: attestation-manifest`) are skipped. Among the
    /// entries that fit, the one with the lowest ``compatibilityRank(of:)`` wins (an exact variant
    /// beats an older compatible one); among equally good entries the first in the list wins.
    public func bestMatch(in entries: [Descriptor]) -> Descriptor? {
        var best: (rank: Int, entry: Descriptor)?
        for entry in entries {
            guard let platform = entry.platform, !platform.isUnknown, !entry.isAttestationManifest,
                let rank = compatibilityRank(of: platform)
            else { continue }
            if let current = best, current.rank <= rank { continue }
            best = (rank, entry)
        }
        return best?.entry
    }

    /// The number in a variant of the form `v<digits>`, else `nil`.
    private static func variantVersion(_ variant: String) -> Int? {
        guard variant.hasPrefix("v") else { return nil }
        let digits = variant.dropFirst()
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(digits)
    }
}

extension Descriptor {
    /// The value of `vnd.docker.reference.type` that marks a BuildKit attestation manifest.
    public static let attestationManifestReferenceType = "attestation-manifest"

    /// Whether this index entry is a BuildKit attestation manifest: skipped when choosing a
    /// platform, kept when copying an index.
    public var isAttestationManifest: Bool {
        annotations?[AnnotationKey.dockerReferenceType] == Self.attestationManifestReferenceType
    }
}
