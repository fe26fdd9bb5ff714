#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hosts `NO_PROXY` sends direct, read as Go's `golang.org/x/net/http/httpproxy` does
/// (curl agrees on everything but the dot rule below).
///
/// Entries are separated by commas (spaces too). Each is one of:
/// - `*`: every host goes direct.
/// - an IP address (`10.1.2.3`, `::1`, `[::1]:5000`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`):
///   matches hosts written as that address, or inside that range.
/// - a domain (`example.com`, `.example.com`, `*.example.com`): `example.com` matches the host
///   itself and every subdomain; with a leading `.` or `*.` only subdomains (as Go; curl also
///   matches the bare domain).
/// - any of the above but `*` and CIDR with `:PORT`: only requests to that port match.
///
/// Matching ignores case. Unlike Go, `localhost` and loopback addresses are **not** exempt on
/// their own (curl's behaviour): a registry on `127.0.0.1` goes through the proxy unless
/// `NO_PROXY` lists it.
public struct NoProxyRules: Sendable, Hashable {
    private enum Rule: Sendable, Hashable {
        case all
        case address([UInt8], port: Int?)
        case network([UInt8], prefixLength: Int)
        case domain(String, includingItself: Bool, port: Int?)
    }

    private let rules: [Rule]

    /// Parses a `NO_PROXY` value; entries that cannot be understood are ignored, as Go and curl do.
    public init(_ value: String) {
        var rules: [Rule] = []
        for raw in value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            let entry = raw.lowercased()
            if entry == "*" {
                rules.append(.all)
                continue
            }
            if let slash = entry.firstIndex(of: "/") {
                if let address = Self.address(String(entry[..<slash])), let bits = Int(entry[entry.index(after: slash)...]),
                    (0...address.count * 8).contains(bits)
                {
                    rules.append(.network(address, prefixLength: bits))
                }
                continue
            }
            if let address = Self.address(entry) {
                rules.append(.address(address, port: nil))
                continue
            }
            let (host, portText) = HostPort.split(Substring(entry))
            let port = portText.flatMap { Int($0) }
            if portText != nil && port == nil { continue }
            if let address = Self.address(host) {
                rules.append(.address(address, port: port))
                continue
            }
            var domain = Substring(host)
            if domain.hasPrefix("*.") { domain = domain.dropFirst() }
            let includingItself = !domain.hasPrefix(".")
            if domain.hasPrefix(".") { domain = domain.dropFirst() }
            guard !domain.isEmpty else { continue }
            rules.append(.domain(String(domain), includingItself: includingItself, port: port))
        }
        self.rules = rules
    }

    /// Whether `host` (lower or upper case, IPv6 without brackets) on `port` bypasses the proxy.
    public func bypasses(host: String, port: Int) -> Bool {
        let host = host.lowercased()
        let address = Self.address(host)
        for rule in rules {
            switch rule {
            case .all:
                return true
            case .address(let bytes, let rulePort):
                if address == bytes, rulePort == nil || rulePort == port { return true }
            case .network(let network, let prefixLength):
                if let address, address.count == network.count, Self.prefix(address, network, bits: prefixLength) { return true }
            case .domain(let domain, let includingItself, let rulePort):
                guard address == nil, rulePort == nil || rulePort == port else { continue }
                if host.hasSuffix("." + domain) || (includingItself && host == domain) { return true }
            }
        }
        return false
    }

    /// Whether no entry was understood.
    public var isEmpty: Bool { rules.isEmpty }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address, or `nil` for anything else.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func prefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        var remaining = bits
        for index in a.indices where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if a[index] & mask != b[index] & mask { return false }
            remaining -= take
        }
        return true
    }
}
