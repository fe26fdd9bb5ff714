import FerrySpec

extension TransportReference.Kind {
    /// The transport a misspelt one most likely meant (`oci-achive` → `oci-archive`,
    /// `docker-arhive` → `docker-archive`, `OCI` → `oci`), or `nil` when none is close.
    public static func suggestion(for misspelt: String) -> Self? {
        let aliases: [String: Self] = [
            "docker-save": .dockerArchive, "tar": .dockerArchive, "ocidir": .oci, "oci-dir": .oci, "oci-layout": .oci, "registry": .docker,
        ]
        if let alias = aliases[misspelt.lowercased()] { return alias }
        return closestMatch(to: misspelt, among: allCases.map(\.rawValue)).flatMap(Self.init(rawValue:))
    }
}
