import FerryRegistry
import FerrySpec
import Testing

/// registries.conf's `credential-helpers` as Ferry reads and uses it: which sources a file
/// gives (drop-ins replace the list), and the order rules, as containers/image applies them:
/// lookup takes the first hit, passing over failures; login stores into the first source;
/// logout erases from every source.
@Suite struct CredentialSourceOrderTests {
    /// (files in order, the sources they give, the origin of the list).
    static let lists: [([String], [CredentialSource], String?)] = [
        ([], [.authFiles], nil),
        (["[[registry]]\nlocation = \"a\"\n"], [.authFiles], nil),
        (["credential-helpers = [\"containers-auth.json\"]\n"], [.authFiles], "f0:1"),
        (["credential-helpers = [\"pass\", \"containers-auth.json\"]\n"], [.helper("pass"), .authFiles], "f0:1"),
        (["# c\ncredential-helpers = [\n  \"ecr-login\",\n  \"secretservice\",\n]\n"], [.helper("ecr-login"), .helper("secretservice")], "f0:2"),
        // A drop-in that sets the key replaces the list; one that does not keeps it.
        (["credential-helpers = [\"a\"]\n", "credential-helpers = [\"b\"]\n"], [.helper("b")], "f1:1"),
        (["credential-helpers = [\"a\"]\n", "[[registry]]\nlocation = \"x\"\n"], [.helper("a")], "f0:1"),
        // An empty list is the default, even over an earlier file's list (containers/image).
        (["credential-helpers = [\"a\"]\n", "credential-helpers = []\n"], [.authFiles], "f1:1"),
        // After a [[registry]] header the key belongs to that table, as TOML says: not the list.
        (["[[registry]]\nlocation = \"x\"\ncredential-helpers = [\"a\"]\n"], [.authFiles], nil),
    ]

    @Test(arguments: lists)
    func sourcesComeFromTheLastFileThatSetsTheKey(_ files: [String], _ sources: [CredentialSource], _ origin: String?) throws {
        var configuration = RegistriesConfiguration()
        for (index, text) in files.enumerated() { try configuration.add(text, file: "f\(index)") }
        #expect(configuration.credentialSources == sources)
        #expect(configuration.credentialHelpers?.origin == origin)
    }

    /// What one source does when asked.
    enum Outcome: Sendable, CustomStringConvertible {
        case hit(String)
        case miss
        case fails(String)

        var description: String {
            switch self {
            case .hit(let user): "hit(\(user))"
            case .miss: "miss"
            case .fails(let message): "fails(\(message))"
            }
        }
    }

    /// (what each source answers, in order; the user found or the error's message).
    static let lookups: [([Outcome], String)] = [
        ([], "none"),
        ([.miss, .miss], "none"),
        ([.hit("a")], "a"),
        ([.hit("a"), .hit("b")], "a"),
        ([.miss, .hit("b")], "b"),
        ([.fails("x"), .hit("b")], "b"),
        ([.hit("a"), .fails("x")], "a"),
        ([.fails("x"), .miss], "error: x"),
        ([.fails("x"), .miss, .fails("y")], "error: x; y"),
    ]

    @Test(arguments: lookups)
    func lookupTakesTheFirstHitAndFailsOnlyWhenNothingWasFound(_ outcomes: [Outcome], _ expected: String) {
        var asked: [Int] = []
        let result: String
        do {
            let found = try CredentialSourceOrder.lookup(Array(outcomes.indices)) { (index: Int) throws(RegistryError) -> Credentials? in
                asked.append(index)
                switch outcomes[index] {
                case .hit(let user): return Credentials(username: user, password: "p")
                case .miss: return nil
                case .fails(let message): throw RegistryError(.credentials, message)
                }
            }
            result = found?.username ?? "none"
        } catch {
            result = "error: \(error.message)"
        }
        #expect(result == expected)
        // Nothing after the first hit is asked.
        let firstHit = outcomes.firstIndex { if case .hit = $0 { true } else { false } }
        #expect(asked == Array(0..<(firstHit.map { $0 + 1 } ?? outcomes.count)))
    }

    /// (whether each source takes the credentials, in order; the index that stored them, or
    /// the error's message).
    static let stores: [([Bool], String)] = [
        ([true], "0"),
        ([true, true], "0"),
        ([true, false], "0"),
        // The first failing is the error: no fall-through to a later source.
        ([false, true], "error: s0"),
        ([], "error: there is nowhere to store credentials"),
    ]

    @Test(arguments: stores)
    func loginStoresIntoTheFirstSourceOnly(_ takes: [Bool], _ expected: String) {
        var tried: [Int] = []
        let result: String
        do {
            let stored = try CredentialSourceOrder.store(Array(takes.indices)) { (index: Int) throws(RegistryError) in
                tried.append(index)
                if !takes[index] { throw RegistryError(.credentials, "s\(index)") }
            }
            result = "\(stored)"
        } catch {
            result = "error: \(error.message)"
        }
        #expect(result == expected)
        #expect(tried == (takes.isEmpty ? [] : [0]))
    }

    /// (what each source holds: true an entry, false none, nil it fails; the sources an entry
    /// was removed from; the failures).
    static let erasures: [([Bool?], [Int], Int)] = [
        ([true], [0], 0),
        ([true, true], [0, 1], 0),
        ([false, true], [1], 0),
        ([false, false], [], 0),
        ([nil, true], [1], 1),
        ([true, nil, true], [0, 2], 1),
    ]

    @Test(arguments: erasures)
    func logoutErasesFromEverySourceWhateverTheOthersDid(_ holds: [Bool?], _ removed: [Int], _ failures: Int) {
        var tried: [Int] = []
        let outcome = CredentialSourceOrder.erase(Array(holds.indices)) { (index: Int) throws(RegistryError) -> Bool in
            tried.append(index)
            guard let held = holds[index] else { throw RegistryError(.credentials, "e\(index)") }
            return held
        }
        #expect(tried == Array(holds.indices))
        #expect(outcome.removed == removed)
        #expect(outcome.failures.count == failures)
    }

    /// (registries.conf, the host given to login, whether the check skips verification, or the
    /// error's start).
    static let logins: [(String, String, String)] = [
        ("", "reg.example", "secure"),
        ("[[registry]]\nlocation = \"reg.example\"\ninsecure = true\n", "reg.example", "insecure"),
        ("[[registry]]\nlocation = \"reg.example:5000\"\ninsecure = true\n", "reg.example", "secure"),
        ("[[registry]]\nprefix = \"*.example\"\ninsecure = true\n", "reg.example", "insecure"),
        // An entry for a namespace under the host does not apply to the host itself.
        ("[[registry]]\nlocation = \"reg.example/team\"\ninsecure = true\n", "reg.example", "secure"),
        // The location is not applied: the entry is found by its prefix, and decides alone.
        ("[[registry]]\nprefix = \"reg.example\"\nlocation = \"other.example\"\ninsecure = true\n", "reg.example", "insecure"),
        ("[[registry]]\nprefix = \"alias.example\"\nlocation = \"reg.example\"\ninsecure = true\n", "reg.example", "secure"),
        ("\n[[registry]]\nlocation = \"reg.example\"\nblocked = true\n", "reg.example", "reg.example is blocked by the registries.conf entry at f:2"),
        ("[registries.block]\nregistries = [\"reg.example\"]\n", "reg.example", "reg.example is blocked by the registries.conf entry at f:2"),
    ]

    @Test(arguments: logins)
    func loginUsesTheEntryForTheHostAsTyped(_ text: String, _ host: String, _ expected: String) throws {
        var configuration = RegistriesConfiguration()
        try configuration.add(text, file: "f")
        let result: String
        do {
            result = try configuration.loginSettings(forHost: host).insecure ? "insecure" : "secure"
        } catch {
            result = error.message
        }
        #expect(result.hasPrefix(expected), "\(result)")
    }
}
