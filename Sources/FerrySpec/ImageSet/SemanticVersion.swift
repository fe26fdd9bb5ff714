/// A semantic version read from a tag the way skopeo sync's `images-by-semver` reads it
/// (Masterminds/semver's lenient parser): an optional `v`, one to three numeric parts (missing ones
/// are 0), an optional `-prerelease` and `+metadata`. `1.2`, `v1.2.3`, `3.18.0-rc1` are versions;
/// `latest`, `1.2.3.4`, `01.2.3` are not.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// The dot-separated prerelease identifiers (`rc`, `1`); empty for a release.
    public var prerelease: [String]
    /// How many numeric parts the text gave (1–3), for wildcard constraints such as `1.2`.
    public var givenParts: Int

    /// Creates a version.
    public init(_ major: Int, _ minor: Int = 0, _ patch: Int = 0, prerelease: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        givenParts = 3
    }

    /// Parses `text`, or returns `nil` when it is not a version.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.first == "v" || body.first == "V" { body = body.dropFirst() }
        if let plus = body.firstIndex(of: "+") {
            let metadata = body[body.index(after: plus)...]
            guard !metadata.isEmpty, metadata.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else { return nil }
            body = body[..<plus]
        }
        var pre: [String] = []
        if let dash = body.firstIndex(of: "-") {
            let text = body[body.index(after: dash)...]
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }) else {
                return nil
            }
            pre = parts
            body = body[..<dash]
        }
        let numbers = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        var values: [Int] = []
        for number in numbers {
            guard !number.isEmpty, number.count <= 18, number.allSatisfy({ $0.isASCII && $0.isNumber }),
                number == "0" || number.first != "0", let value = Int(number)
            else { return nil }
            values.append(value)
        }
        while values.count < 3 { values.append(0) }
        major = values[0]
        minor = values[1]
        patch = values[2]
        prerelease = pre
        givenParts = numbers.count
    }

    /// Whether this is a prerelease (`1.0.0-rc1`).
    public var isPrerelease: Bool { !prerelease.isEmpty }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    /// Precedence as semver 2.0.0 §11 sets it (metadata ignored).
    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        switch (a.prerelease.isEmpty, b.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false):
            for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
                switch (Int(x), Int(y)) {
                case let (i?, j?): return i < j
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): return x < y
                }
            }
            return a.prerelease.count < b.prerelease.count
        }
    }

    /// Equal precedence (the parts given do not matter: `1.2` equals `1.2.0`).
    public static func == (a: SemanticVersion, b: SemanticVersion) -> Bool {
        (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch) && a.prerelease == b.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }
}
