/// A private Amazon ECR registry host, `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` or
/// dual-stack `<account>.dkr-ecr.<region>.on.aws` (formats.md §9.7).
public struct ECRRegistry: Sendable, Hashable {
    /// The 12-digit account id (the registry id).
    public var account: String
    /// The region, such as `eu-west-1`.
    public var region: String
    /// Whether the host is a FIPS endpoint (`dkr.ecr-fips`).
    public var fips: Bool
    /// Whether the host is in an AWS China region (`.amazonaws.com.cn`).
    public var china: Bool

    /// Parses `host` (an optional `:port` is ignored); `nil` when it is not an ECR registry host.
    /// Matches the credential helper's pattern
    /// `^([a-zA-Z0-9][a-zA-Z0-9-_]*)\.dkr\.ecr(-fips)?\.([a-zA-Z0-9][a-zA-Z0-9-_]*)\.amazonaws\.com(\.cn)?`
    /// and the dual-stack form.
    public init?(host: String) {
        let name = host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? host
        let labels = name.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func isLabel(_ s: String) -> Bool {
            func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) }
            guard let first = s.utf8.first, alnum(first) else { return false }
            return s.utf8.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        }
        if labels.count == 6 || labels.count == 7, labels[1] == "dkr", labels[2] == "ecr" || labels[2] == "ecr-fips",
            labels[4] == "amazonaws", labels[5] == "com", labels.count == 6 || labels[6] == "cn",
            isLabel(labels[0]), isLabel(labels[3])
        {
            self.account = labels[0]
            self.region = labels[3]
            self.fips = labels[2] == "ecr-fips"
            self.china = labels.count == 7
            return
        }
        if labels.count == 5, labels[1] == "dkr-ecr", labels[3] == "on", labels[4] == "aws", isLabel(labels[0]), isLabel(labels[2]) {
            self.account = labels[0]
            self.region = labels[2]
            self.fips = false
            self.china = false
            return
        }
        return nil
    }

    /// The ECR API endpoint for this registry's region: `https://api.ecr.<region>.amazonaws.com/`
    /// (`ecr-fips.<region>` for FIPS, `.amazonaws.com.cn` in China).
    public var apiEndpoint: String {
        let suffix = china ? "amazonaws.com.cn" : "amazonaws.com"
        return fips ? "https://ecr-fips.\(region).\(suffix)/" : "https://api.ecr.\(region).\(suffix)/"
    }
}
