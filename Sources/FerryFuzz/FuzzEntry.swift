// The entry point of every Ferry fuzz target. This target exists only when FERRY_FUZZ is set
// while the package is resolved (see Package.swift and Scripts/fuzz), and is built with
// `-sanitize=fuzzer,address`, which links libFuzzer.

import CFuzzerDriver

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One parser under test: takes arbitrary bytes, must neither crash nor hang, whatever they are.
struct FuzzTarget: Sendable {
    /// The name `FERRY_FUZZ_TARGET` selects it by (also the corpus folder's name).
    var name: String
    /// Feeds one input to the parser.
    var run: @Sendable ([UInt8]) -> Void
    /// Seed inputs the target makes itself (written by `FERRY_FUZZ_SEEDS_TO`); most targets' seeds
    /// come from Scripts/fuzz-corpus instead.
    var seeds: @Sendable () -> [[UInt8]] = { [] }
}

/// Every target, in the order Scripts/fuzz runs them.
let allTargets: [FuzzTarget] = [
    FuzzTarget(name: "manifest", run: DocumentTargets.manifest),
    FuzzTarget(name: "config", run: DocumentTargets.config),
    FuzzTarget(name: "schema1", run: DocumentTargets.schema1),
    FuzzTarget(name: "tar-scanner", run: TarTargets.scanner),
    FuzzTarget(name: "tar-reader", run: TarTargets.reader),
    FuzzTarget(name: "docker-manifest", run: DockerArchiveTargets.manifestJSON),
    FuzzTarget(name: "repositories", run: DockerArchiveTargets.repositories),
    FuzzTarget(name: "reference", run: ReferenceTarget.run),
    FuzzTarget(name: "auth-challenge", run: AuthTargets.challenge),
    FuzzTarget(name: "token-response", run: AuthTargets.tokenResponse),
    FuzzTarget(name: "copy-verify", run: CopyVerifyTarget.run, seeds: CopyVerifyTarget.seeds),
]

/// The target `FERRY_FUZZ_TARGET` names; the process stops with a list when it names none.
let selectedTarget: FuzzTarget = {
    let wanted = getenv("FERRY_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    if let target = allTargets.first(where: { $0.name == wanted }) { return target }
    let names = allTargets.map(\.name).joined(separator: " ")
    let message = Array("FERRY_FUZZ_TARGET must name one of: \(names)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}()

/// libFuzzer calls this once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

/// The process's entry point (SwiftPM links `main` to `<module>_main`): libFuzzer's driver with
/// the command line (`-max_total_time=…`, corpus folders) and ``fuzzOneInput(_:_:)``.
@_cdecl("FerryFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    _ = selectedTarget
    if let folder = getenv("FERRY_FUZZ_SEEDS_TO").map({ String(cString: $0) }) {
        return writeSeeds(of: selectedTarget, to: folder)
    }
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}

/// Writes the target's own seeds as `seed-N` files in `folder` (made if missing); 0 on success.
func writeSeeds(of target: FuzzTarget, to folder: String) -> Int32 {
    mkdir(folder, 0o755)
    for (number, seed) in target.seeds().enumerated() {
        guard let file = fopen("\(folder)/seed-\(number)", "wb") else { return 1 }
        let written = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        guard written == seed.count else { return 1 }
    }
    return 0
}
