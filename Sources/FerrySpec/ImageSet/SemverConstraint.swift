import Foundation

/// A version constraint as skopeo sync's `images-by-semver` reads it (Masterminds/semver v3):
/// `>= 3.12.0`, `~1.2`, `^0.4`, `1.2.x`, `1.2 - 1.4`, `!= 2.0`, groups joined by `||`, the
/// constraints of one group separated by commas or spaces (all must hold).
///
/// A bare or wildcard version matches its prefix (`1.2` = `1.2.x` = `>= 1.2.0, < 1.3.0`); `~`
/// allows patch releases (minor ones when only a major is given), `^` everything below the next
/// change of the leftmost non-zero part. A prerelease tag (`1.3.0-rc1`) matches only a constraint
/// that itself names a prerelease, as Masterminds does.
public struct SemverConstraint: Sendable, Hashable, CustomStringConvertible {
    /// One comparison: an operator and a version whose missing or wildcard parts are remembered.
    struct Primitive: Sendable, Hashable {
        enum Operator: String, Sendable {
            case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", tilde = "~", caret = "^"
        }
        var op: Operator
        var version: SemanticVersion
        /// Numeric parts given before any wildcard (0–3).
        var parts: Int
    }

    /// The text it was parsed from.
    public let text: String
    let groups: [[Primitive]]

    /// Parses `text`.
    /// - Throws: ``SpecError`` (`invalidReference`) naming the part that is not a constraint.
    public init(parsing text: String) throws(SpecError) {
        self.text = text
        var groups: [[Primitive]] = []
        for group in text.components(separatedBy: "||") {
            var tokens = group.replacingOccurrences(of: ",", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var primitives: [Primitive] = []
            while !tokens.isEmpty {
                var token = tokens.removeFirst()
                if tokens.count >= 2, tokens[0] == "-" {
                    let upper = tokens[1]
                    tokens.removeFirst(2)
                    primitives.append(try Self.primitive(">=" + token, in: text))
                    primitives.append(try Self.primitive("<=" + upper, in: text))
                    continue
                }
                if token.allSatisfy({ "=!<>~^".contains($0) }), let next = tokens.first {
                    token += next
                    tokens.removeFirst()
                }
                primitives.append(try Self.primitive(token, in: text))
            }
            guard !primitives.isEmpty else { throw SpecError(.invalidReference, "\"\(text)\": an empty version constraint") }
            groups.append(primitives)
        }
        self.groups = groups
    }

    public var description: String { text }

    /// Whether `version` satisfies the constraint.
    public func matches(_ version: SemanticVersion) -> Bool {
        groups.contains { group in group.allSatisfy { $0.matches(version) } }
    }

    private static func primitive(_ token: String, in text: String) throws(SpecError) -> Primitive {
        let operators: [(String, Primitive.Operator)] = [
            (">=", .greaterOrEqual), ("=>", .greaterOrEqual), ("<=", .lessOrEqual), ("=<", .lessOrEqual), ("!=", .notEqual),
            ("~>", .tilde), (">", .greater), ("<", .less), ("=", .equal), ("~", .tilde), ("^", .caret),
        ]
        var op = Primitive.Operator.equal
        var rest = Substring(token)
        for (prefix, candidate) in operators where rest.hasPrefix(prefix) {
            op = candidate
            rest = rest.dropFirst(prefix.count)
            break
        }
        var body = rest
        if body.first == "v" || body.first == "V" { body = body.dropFirst() }
        // Wildcards: the parts before the first x/X/* count; a missing part counts as one.
        var numeric: [Substring] = []
        var prerelease = ""
        var main = body
        if let dash = body.firstIndex(of: "-") {
            prerelease = String(body[dash...])
            main = body[..<dash]
        }
        var wildcard = false
        for part in main.split(separator: ".", omittingEmptySubsequences: false) {
            if part == "x" || part == "X" || part == "*" {
                wildcard = true
                continue
            }
            guard !wildcard else {
                throw SpecError(.invalidReference, "\"\(text)\": \"\(token)\" has a number after a wildcard")
            }
            numeric.append(part)
        }
        if main == "*" || main == "x" || main == "X" {
            return Primitive(op: op == .equal ? .greaterOrEqual : op, version: SemanticVersion(0), parts: 0)
        }
        let versionText = (numeric.isEmpty ? "0" : numeric.joined(separator: ".")) + prerelease
        guard let version = SemanticVersion(versionText), main.split(separator: ".", omittingEmptySubsequences: false).count <= 3 else {
            throw SpecError(.invalidReference, "\"\(text)\": \"\(token)\" is not a version constraint (such as >= 1.2.0, ~1.2, ^2, 1.2.x)")
        }
        return Primitive(op: op, version: version, parts: numeric.count)
    }
}

extension SemverConstraint.Primitive {
    /// The smallest version above every version this primitive's given parts describe
    /// (`1.2` → `1.3.0`, `1` → `2.0.0`).
    private var nextPrefix: SemanticVersion {
        switch parts {
        case 0: return SemanticVersion(Int.max)
        case 1: return SemanticVersion(version.major + 1)
        case 2: return SemanticVersion(version.major, version.minor + 1)
        default: return SemanticVersion(version.major, version.minor, version.patch + 1)
        }
    }

    private var base: SemanticVersion { SemanticVersion(version.major, version.minor, version.patch, prerelease: version.prerelease) }

    func matches(_ v: SemanticVersion) -> Bool {
        // A prerelease tag passes only constraints that name a prerelease themselves.
        if v.isPrerelease && !version.isPrerelease { return false }
        let release = v
        let exact = parts >= 3
        switch op {
        case .equal:
            return exact ? release == base : (release >= base && release < nextPrefix)
        case .notEqual:
            return exact ? release != base : !(release >= base && release < nextPrefix)
        case .greater:
            return exact ? release > base : release >= nextPrefix
        case .greaterOrEqual:
            return release >= base
        case .less:
            return release < base
        case .lessOrEqual:
            return exact ? release <= base : release < nextPrefix
        case .tilde:
            let upper = parts <= 1 ? SemanticVersion(version.major + 1) : SemanticVersion(version.major, version.minor + 1)
            return release >= base && release < upper
        case .caret:
            let upper: SemanticVersion
            if version.major > 0 || parts <= 1 {
                upper = SemanticVersion(version.major + 1)
            } else if version.minor > 0 || parts == 2 {
                upper = SemanticVersion(0, version.minor + 1)
            } else {
                upper = SemanticVersion(0, 0, version.patch + 1)
            }
            return release >= base && release < upper
        }
    }
}
