import ArgumentParser
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTransports

/// `ferry digest SRC` and `ferry digest --file PATH...`
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest of an image's manifest or index (verified against its bytes), or of files.",
        usage: "ferry digest [<options>] <image>\nferry digest --file [--algorithm <alg>] [--json] <path> ...",
        discussion: """
            Examples:
              ferry digest oci:./layout:1.0
              ferry digest --file layer.tar.gz config.json
              ferry digest --file --algorithm sha512 big.tar
            """)

    @Argument(help: "The image (oci:PATH[:REF], …), or with --file the files to hash.")
    var targets: [String]

    @OptionGroup var registry: RegistryFlags

    @Flag(help: "Hash files instead of reading an image, printing `DIGEST  PATH` lines.")
    var file = false

    @Option(help: "The hash for --file: sha256 or sha512.")
    var algorithm = "sha256"

    @Flag(help: "Print JSON (schema: docs/json-output.md).")
    var json = false

    func validate() throws {
        guard !targets.isEmpty else { throw ValidationError("name an image, or files with --file") }
        guard file || targets.count == 1 else { throw ValidationError("name one image (or use --file to hash several files)") }
        guard Digest.Algorithm(rawValue: algorithm) != nil else { throw ValidationError("--algorithm must be sha256 or sha512") }
    }

    func run() async throws {
        if file {
            let algorithm = Digest.Algorithm(rawValue: algorithm) ?? .sha256
            try await runReportingErrors {
                let results: [Digest?] = try await targets.mapConcurrently(limit: 2) { path in
                    let hasher = try DigestHasher(algorithm)
                    let stream = try FileByteStream(path: path, chunkSize: 4 << 20)
                    while let chunk = try await stream.next() { hasher.update(chunk) }
                    return hasher.finalize()
                }
                if json {
                    let files = zip(results, targets).compactMap { digest, path in digest.map { DigestJSON.File(path: path, digest: $0.description) } }
                    print(try prettyJSON(DigestJSON(files: files)))
                    return
                }
                for (digest, path) in zip(results, targets) {
                    if let digest { print("\(digest)  \(path)") }
                }
            }
            return
        }
        let from = try parsePlace(targets[0])
        try await runReportingErrors {
            let document = try await withPlaceHints([from]) {
                try await withTagHints(from, options: try registry.options) {
                    try await from.withSource(registry: try registry.options) { source in
                        try await Inspector(source: source).rawDocument(from.selector)
                    }
                }
            }
            if json {
                print(try prettyJSON(DigestJSON(source: targets[0], digest: document.digest.description, mediaType: document.mediaType.rawValue)))
            } else {
                print(document.digest)
            }
        }
    }
}

/// `ferry digest --json`: an image's manifest digest, or with `--file` each file's.
struct DigestJSON: Encodable {
    /// One hashed file.
    struct File: Encodable {
        var path: String
        var digest: String
    }

    var schemaVersion = 1
    var source: String?
    var digest: String?
    var mediaType: String?
    var files: [File]?
}
