import FerryEngine
import FerrySpec
import FerryStreams
import FerryTransports
import Foundation

/// The differential target: one small valid OCI layout with one of its documents replaced by the
/// input, then verified and copied to another layout. Copy must refuse exactly when verify reports
/// an error-level problem (the rule `CopyVerifyAgreementTests` holds for known mutations); any
/// disagreement stops the process with both outcomes.
///
/// Input: the first byte picks the document (0 `index.json`, 1 the manifest, 2 the config), the
/// rest is its new content. A new manifest or config is stored under its own digest and its parent
/// re-pointed at it (digest and size), so the input's content is what gets judged, not a digest
/// mismatch.
enum CopyVerifyTarget {
    /// Which document of the seed layout the input replaces.
    enum Slot: UInt8, CaseIterable {
        case index = 0, manifest = 1, config = 2
    }

    @Sendable static func run(_ input: [UInt8]) {
        _ = seedIsAccepted
        guard let first = input.first else { return }
        let slot = Slot(rawValue: first % 3)!
        let bytes = Array(input.dropFirst())
        let root = scratch
        try? FileManager.default.removeItem(atPath: root)
        // FERRY_FUZZ_KEEP=1 leaves the last input's layout in place, to reproduce a disagreement
        // with `ferry verify` and `ferry copy` (run one input: `FerryFuzz -runs=0 FILE`).
        defer { if getenv("FERRY_FUZZ_KEEP") == nil { try? FileManager.default.removeItem(atPath: root) } }
        guard (try? SeedLayout.write(to: root + "/src", replacing: slot, with: bytes)) != nil else { return }
        AsyncRunner.wait {
            let outcomes = await judge(source: "oci:\(root)/src", destination: "oci:\(root)/out")
            if outcomes.verify.accepted != outcomes.copy.accepted, !(slot == .config && isCarriedArtifactConfig(bytes)) {
                fatalError(
                    "copy and verify disagree on a layout whose \(slot) is \(describe(bytes)): verify \(outcomes.verify.detail); copy \(outcomes.copy.detail)")
            }
        }
    }

    /// Checked once: the seed layout itself must pass both, or the target would only ever see
    /// refusals.
    static let seedIsAccepted: Bool = {
        let root = scratch + "-seed"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let seed = SeedLayout()
        guard (try? SeedLayout.write(to: root + "/src", replacing: .index, with: seed.index)) != nil else {
            fatalError("copy-verify: cannot write the seed layout under \(root)")
        }
        AsyncRunner.wait {
            let outcomes = await judge(source: "oci:\(root)/src", destination: "oci:\(root)/out")
            guard outcomes.verify.accepted && outcomes.copy.accepted else {
                fatalError("copy-verify: the seed layout is not valid: verify \(outcomes.verify.detail); copy \(outcomes.copy.detail)")
            }
        }
        return true
    }()

    /// The one disagreement Ferry makes on purpose (`ImageConfigReading.decode`): a config that
    /// leaves out `architecture`, `os` or `rootfs` altogether — what oras and regclient write for
    /// images that are really artifacts — is carried by copy as it is, and reported by verify.
    static func isCarriedArtifactConfig(_ bytes: [UInt8]) -> Bool {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return false }
        return ["architecture", "os", "rootfs"].contains { object[$0] == nil }
    }

    /// Accepted or refused, with the first error's words.
    struct Outcome: Sendable {
        var accepted: Bool
        var detail: String
    }

    /// Verify and copy (every image the source holds) of one source.
    static func judge(source: String, destination: String) async -> (verify: Outcome, copy: Outcome) {
        let verify: Outcome
        do {
            let report = await Verifier(reference: try TransportReference(parsing: source)).run()
            let firstError = report.problems.first { $0.severity == .error }
            verify = Outcome(accepted: report.errors == 0, detail: firstError.map { "refused: \($0.code.rawValue): \($0.message)" } ?? "accepted")
        } catch {
            verify = Outcome(accepted: false, detail: "refused: \(error)")
        }
        let copy: Outcome
        do {
            let from = try TransportReference(parsing: source)
            // As deep as verify goes: layer contents against their DiffIDs, tar members.
            var options = CopyOptions()
            options.checkLayers = true
            _ = try await CopyOperation(
                source: try from.openSource(), destination: try TransportReference(parsing: destination).openDestination(durable: false),
                selector: .all, options: options
            ).run()
            copy = Outcome(accepted: true, detail: "accepted")
        } catch {
            copy = Outcome(accepted: false, detail: "refused: \(error)")
        }
        return (verify, copy)
    }

    /// The seed inputs: each slot with the seed layout's own document (Scripts/fuzz writes them
    /// with `FERRY_FUZZ_SEEDS_TO`).
    static func seeds() -> [[UInt8]] {
        let layout = SeedLayout()
        return [[Slot.index.rawValue] + layout.index, [Slot.manifest.rawValue] + layout.manifest, [Slot.config.rawValue] + layout.config]
    }

    /// The input, quoted and cut to a sane length for the trap message.
    static func describe(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(300), as: UTF8.self)
        return "\(bytes.count) bytes \(text.debugDescription)\(bytes.count > 300 ? "…" : "")"
    }

    /// A folder of this process in memory-backed storage when there is some (the process id left
    /// out with `FERRY_FUZZ_KEEP`, so the kept layout is easy to find).
    static let scratch: String = {
        let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return getenv("FERRY_FUZZ_KEEP") == nil ? "\(folder)/ferry-fuzz-copy-verify-\(getpid())" : "\(folder)/ferry-fuzz-copy-verify-kept"
    }()
}
