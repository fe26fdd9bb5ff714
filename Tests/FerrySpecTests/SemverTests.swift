import FerrySpec
import Testing

/// Semantic versions and constraints as skopeo sync's `images-by-semver` reads them
/// (Masterminds/semver v3).
@Suite struct SemverTests {
    @Test(arguments: [
        ("1.2.3", "1.2.3"), ("v1.2.3", "1.2.3"), ("1.2", "1.2.0"), ("1", "1.0.0"), ("3.18.0-rc1", "3.18.0-rc1"),
        ("1.0.0+build.5", "1.0.0"), ("0.0.0", "0.0.0"),
    ])
    func parsesVersions(_ text: String, _ expected: String) {
        #expect(SemanticVersion(text)?.description == expected)
    }

    @Test(arguments: ["latest", "1.2.3.4", "01.2.3", "1.2.", "", "v", "1.2.3-", "1.2.3+", "stable-1.2", "1..2"])
    func refusesNonVersions(_ text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test(arguments: [
        ("1.0.0-alpha", "1.0.0-alpha.1"), ("1.0.0-alpha.1", "1.0.0-alpha.beta"), ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-rc.1", "1.0.0"), ("1.9.0", "1.10.0"), ("2.0.0", "10.0.0"),
    ])
    func ordersBySemverPrecedence(_ lower: String, _ higher: String) throws {
        #expect(try #require(SemanticVersion(lower)) < #require(SemanticVersion(higher)))
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var constraint: String
        var matching: [String]
        var failing: [String]
        var testDescription: String { constraint }
    }

    static let rows: [Row] = [
        Row(constraint: ">= 3.12.0", matching: ["3.12.0", "3.13", "4.0.0", "v3.12.1"], failing: ["3.11.9", "3.13.0-rc1", "latest"]),
        Row(constraint: ">=1.2, <2", matching: ["1.2.0", "1.9.9"], failing: ["2.0.0", "1.1.0"]),
        Row(constraint: ">=1.2 <2", matching: ["1.5.0"], failing: ["2.1.0"]),
        Row(constraint: "~1.2.3", matching: ["1.2.3", "1.2.9"], failing: ["1.3.0", "1.2.2"]),
        Row(constraint: "~1.2", matching: ["1.2.0", "1.2.7"], failing: ["1.3.0"]),
        Row(constraint: "~1", matching: ["1.0.0", "1.9.0"], failing: ["2.0.0"]),
        Row(constraint: "^1.2.3", matching: ["1.2.3", "1.9.0"], failing: ["2.0.0", "1.2.2"]),
        Row(constraint: "^0.2.3", matching: ["0.2.3", "0.2.9"], failing: ["0.3.0"]),
        Row(constraint: "^0.0.3", matching: ["0.0.3"], failing: ["0.0.4"]),
        Row(constraint: "1.2.x", matching: ["1.2.0", "1.2.99"], failing: ["1.3.0", "1.1.9"]),
        Row(constraint: "1.2", matching: ["1.2.5"], failing: ["1.3.0"]),
        Row(constraint: "*", matching: ["0.0.1", "9.9.9"], failing: ["1.0.0-beta"]),
        Row(constraint: "1.2 - 1.4.5", matching: ["1.2.0", "1.4.5"], failing: ["1.4.6", "1.1.0"]),
        Row(constraint: "!= 2.0.0", matching: ["2.0.1", "1.0.0"], failing: ["2.0.0"]),
        Row(constraint: "> 1.2", matching: ["1.3.0"], failing: ["1.2.9"]),
        Row(constraint: "<= 1.2", matching: ["1.2.9", "1.0.0"], failing: ["1.3.0"]),
        Row(constraint: "< 1.2.0 || >= 3", matching: ["1.1.0", "3.0.0"], failing: ["2.0.0", "1.2.0"]),
        Row(constraint: ">= 1.0.0-rc1", matching: ["1.0.0-rc2", "1.0.0"], failing: ["0.9.0"]),
    ]

    @Test(arguments: rows)
    func constraintsMatchAsSkopeoSyncDoes(_ row: Row) throws {
        let constraint = try SemverConstraint(parsing: row.constraint)
        for tag in row.matching {
            #expect(SemanticVersion(tag).map(constraint.matches) == true, "\(tag) should match \(row.constraint)")
        }
        for tag in row.failing {
            #expect(SemanticVersion(tag).map(constraint.matches) != true, "\(tag) should not match \(row.constraint)")
        }
    }

    @Test(arguments: ["", ">= banana", "~>", "1.2.3.4", "=> x.y"])
    func refusesBadConstraints(_ text: String) {
        #expect(throws: SpecError.self) { _ = try SemverConstraint(parsing: text) }
    }
}
