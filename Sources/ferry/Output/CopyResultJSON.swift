import FerryEngine
import FerrySpec
import FerryTransports

/// `ferry copy --json`: what the copy did, for scripts. Schema in docs/json-output.md; a change
/// that removes or renames a field raises ``schemaVersion``.
struct CopyResultJSON: Encodable {
    /// One copied top-level image or index.
    struct Image: Encodable {
        /// The transport string that reads this image from the source.
        var source: String
        /// The transport string of the image at the destination.
        var destination: String
        var names: [String]
        var mediaType: String
        var sourceDigest: String
        var destinationDigest: String
        var digestChanged: Bool
        var blobs: Blobs
    }

    /// Blobs and bytes moved and skipped (for one image, or in total).
    struct Blobs: Encodable {
        var copied: Int
        var bytesCopied: Int64
        var skipped: Int
        var bytesSkipped: Int64
    }

    /// A referrer copied with `--referrers`.
    struct Referrer: Encodable {
        var subject: String
        var digest: String
        var mediaType: String
        var artifactType: String?
    }

    /// Counts over the whole copy (a blob two images share counts once).
    struct Totals: Encodable {
        var blobs: Blobs
        var layersRecompressed: Int
        var documentsWritten: Int
    }

    var schemaVersion = 1
    var source: String
    var destination: String
    var images: [Image]
    var referrers: [Referrer]
    var totals: Totals
    /// Every digest that changed, source → destination.
    var changedDigests: [String: String]
    var notes: [String]
    /// The signature check of each converted Docker schema 1 manifest, by its digest.
    var schema1Signatures: [String: String]

    /// - Parameters:
    ///   - sourceString / destinationString: the transport strings as the user wrote them.
    ///   - all: whether `--all` was given (each image is then named by its position in the source).
    init(_ report: CopyReport, source from: TransportReference, destination to: TransportReference, sourceString: String, destinationString: String, all: Bool)
    {
        source = sourceString
        destination = destinationString
        images = report.entries.enumerated().map { position, entry in
            Image(
                source: Self.sourceReference(from, given: sourceString, all: all, position: position, digest: entry.sourceDigest),
                destination: Self.destinationReference(to, names: entry.names, digest: entry.descriptor.digest),
                names: entry.names,
                mediaType: entry.descriptor.mediaType.rawValue,
                sourceDigest: entry.sourceDigest.description,
                destinationDigest: entry.descriptor.digest.description,
                digestChanged: entry.sourceDigest != entry.descriptor.digest,
                blobs: Blobs(
                    copied: entry.blobs.copied, bytesCopied: entry.blobs.bytesCopied, skipped: entry.blobs.skipped, bytesSkipped: entry.blobs.bytesSkipped))
        }
        referrers = report.referrers.map {
            Referrer(
                subject: $0.subject.description, digest: $0.descriptor.digest.description, mediaType: $0.descriptor.mediaType.rawValue,
                artifactType: $0.descriptor.artifactType)
        }
        totals = Totals(
            blobs: Blobs(copied: report.blobsCopied, bytesCopied: report.bytesCopied, skipped: report.blobsSkipped, bytesSkipped: report.bytesSkipped),
            layersRecompressed: report.layersTranscoded,
            documentsWritten: report.documentsWritten)
        changedDigests = Dictionary(uniqueKeysWithValues: report.digestMap.map { ($0.key.description, $0.value.description) })
        notes = report.notes
        schema1Signatures = Dictionary(uniqueKeysWithValues: report.schema1Signatures.map { ($0.key.description, String(describing: $0.value)) })
    }

    /// How to read the image again from the source: what the user wrote, or with `--all` its
    /// position (`oci:DIR:@N`); a registry image by digest.
    private static func sourceReference(_ place: TransportReference, given: String, all: Bool, position: Int, digest: Digest) -> String {
        if let reference = place.dockerReference {
            return all ? "docker://\(reference.name)@\(digest)" : given
        }
        guard all, place.kind != .dir else { return given }
        return "\(place.kind.rawValue):\(place.path):@\(position)"
    }

    /// How to read the image at the destination: by its first name, else by digest (registry) or
    /// the bare place.
    private static func destinationReference(_ place: TransportReference, names: [String], digest: Digest) -> String {
        if let reference = place.dockerReference {
            return names.first.map { "docker://\(reference.name):\($0)" } ?? "docker://\(reference.name)@\(digest)"
        }
        if place.kind == .dir { return "dir:\(place.path)" }
        return names.first.map { "\(place.kind.rawValue):\(place.path):\($0)" } ?? "\(place.kind.rawValue):\(place.path)"
    }
}
