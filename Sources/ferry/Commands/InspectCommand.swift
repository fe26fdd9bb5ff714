import ArgumentParser
import Foundation
import FerryEngine
import FerrySpec
import FerryStreams
import FerryTransports

/// `ferry inspect SRC`
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an image's manifest, config summary, layers and platforms.",
        usage: "ferry inspect [<options>] <source>",
        discussion: """
            A layout or archive holding several images, named without a reference, is listed instead: \
            each image's digest and names, and how to name it (--json: schema in docs/json-output.md).

            Examples:
              ferry inspect oci:./layout:1.0
              ferry inspect oci:./mirror
              ferry inspect --json docker-archive:images.tar
              ferry inspect --blob sha256:3f4e… docker://localhost:5000/app > layer.tar.gz

            --raw, --config and --blob write exact bytes to standard output, as crane manifest, \
            config and blob do; --blob is verified while it streams: on a mismatch the bytes already \
            written are followed by an error on standard error and exit 1.
            """)

    @Argument(
        help: "The image: oci:PATH[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF] or docker://HOST/REPO[:TAG|@DIGEST].", completion: Completions.place
    )
    var source: String

    @OptionGroup var registry: RegistryFlags

    @Flag(help: "Print the exact manifest or index bytes, nothing else.")
    var raw = false

    @Flag(help: "Print JSON (schema: docs/json-output.md).")
    var json = false

    @Flag(help: "Print the image's config exactly as stored (verified against its digest), nothing else.")
    var config = false

    @Option(
        help: ArgumentHelp(
            "Print the blob (a layer or config) with this digest exactly as stored, verified while it streams, nothing else.", valueName: "digest"))
    var blob: String?

    @Option(
        help: ArgumentHelp(
            "For an index: the image for this platform, os/arch[/variant] (with --raw its manifest, with --config its config).", valueName: "os/arch[/variant]"),
        completion: Completions.platform)
    var platform: String?

    func validate() throws {
        if let platform {
            do { _ = try Platform(parsing: platform) } catch { throw ValidationError(error.message) }
        }
        if config && raw { throw ValidationError("--raw prints the manifest and --config the config; give one") }
        if let blob {
            guard !raw && !config && !json && platform == nil else {
                throw ValidationError("--blob prints one blob's bytes; leave out --raw, --config, --json and --platform")
            }
            do { _ = try Digest(parsing: blob) } catch { throw ValidationError("--blob: \(error.message)") }
        }
    }

    func run() async throws {
        let from = try parsePlace(source)
        try await runReportingErrors {
            try await withPlaceHints([from]) {
                try await withTagHints(from, options: try registry.options) { try await inspect(from) }
            }
        }
    }

    private func inspect(_ from: TransportReference) async throws {
        try await from.withSource(registry: try registry.options) { source in
            if let blob {
                try await writeBlob(try Digest(parsing: blob), from: source)
                return
            }
            let inspector = Inspector(source: source)
            if config || platform != nil {
                try await inspectOneImage(inspector, from.selector)
                return
            }
            if from.dockerReference == nil, from.selector == .only, !raw {
                let entries = try await source.entries()
                if entries.count > 1 {
                    let listing = EntryListing(entries, of: from, sourceString: self.source)
                    print(json ? try prettyJSON(listing) : listing.text, terminator: json ? "\n" : "")
                    return
                }
            }
            if raw {
                let document = try await inspector.rawDocument(from.selector)
                writeOut(String(decoding: document.bytes, as: UTF8.self))
                return
            }
            let inspection = try await inspector.inspect(from.selector)
            if json {
                print(try prettyJSON(inspection))
            } else {
                print(InspectionText.render(inspection), terminator: "")
            }
        }
    }

    /// `--blob DIGEST`: the blob's bytes to standard output as they arrive, verified on the way;
    /// a mismatch is found after the last byte, so it is said on standard error besides the error.
    private func writeBlob(_ digest: Digest, from source: any ImageSource) async throws {
        _ = try await source.entries()
        let stream = try VerifyingStream(
            try await source.blob(Descriptor(mediaType: "application/octet-stream", digest: digest, size: 0)),
            expectedDigest: digest, context: "\(self.source): blob \(digest)")
        var written: Int64 = 0
        do {
            while let chunk = try await stream.next() {
                try FileHandle.standardOutput.write(contentsOf: chunk)
                written += Int64(chunk.count)
            }
        } catch let error as StreamError where error.code == .digestMismatch || error.code == .sizeMismatch {
            let note = "ferry inspect: the \(written) bytes written to standard output are not blob \(digest): discard them\n"
            FileHandle.standardError.write(Data(note.utf8))
            throw error
        }
    }

    /// `--config` and `--platform`: one image of the entry (an index's child for the platform).
    private func inspectOneImage(_ inspector: Inspector, _ selector: ImageSelector) async throws {
        let wanted = try platform.map { try Platform(parsing: $0) }
        if config {
            try FileHandle.standardOutput.write(contentsOf: try await inspector.configBytes(selector, platform: wanted))
            return
        }
        let image = try await inspector.image(selector, platform: wanted)
        if raw {
            try FileHandle.standardOutput.write(contentsOf: image.manifest.bytes)
            return
        }
        var inspection = try await inspector.inspect(selector)
        inspection.images = inspection.images.filter { $0.digest == image.manifest.digest }
        print(json ? try prettyJSON(inspection) : InspectionText.render(inspection), terminator: json ? "\n" : "")
    }
}
