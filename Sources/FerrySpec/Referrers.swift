/// The pure parts of the OCI referrers model (distribution-spec 1.1 "Listing Referrers",
/// image-spec `manifest.md` "subject"): which manifest a document refers to, the descriptor a list
/// of referrers gives it, and the tag of the referrers tag schema.
extension Digest {
    /// The tag the referrers tag schema keeps the referrers of this digest under, for registries
    /// without the referrers API: `<alg>-<encoded>` (`sha256-ab12…`), the algorithm cut to 32 and
    /// the encoded part to 64 characters, anything outside the tag alphabet replaced with `-`.
    public var referrersTag: String {
        func clean(_ part: String, limit: Int) -> String {
            String(
                part.prefix(limit).map { character -> Character in
                    character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "." || character == "-")
                        ? character : "-"
                })
        }
        return clean(algorithm, limit: 32) + "-" + clean(encoded, limit: 64)
    }
}

/// A manifest or index that names a `subject`: what a referrers list says about it.
public struct Referrer: Sendable, Hashable {
    /// The manifest this one refers to (signs, describes, attests).
    public var subject: Descriptor
    /// The entry a referrers list (an image index) holds for it: its media type, digest and size,
    /// its `artifactType` (the manifest's own, else its config's media type) and its annotations.
    public var descriptor: Descriptor

    /// Reads the `subject` of a document, or `nil` when it names none (or is not an OCI-shaped
    /// manifest or index: Docker schema 1 has no subject).
    /// - Throws: ``SpecError`` when the document cannot be decoded.
    public init?(_ document: RawDocument, context: String) throws(SpecError) {
        switch try document.decode(context: context) {
        case .schema1:
            return nil
        case .manifest(let manifest):
            guard let subject = manifest.subject else { return nil }
            self.subject = subject
            descriptor = Descriptor(
                mediaType: document.mediaType, digest: document.digest, size: Int64(document.bytes.count),
                annotations: manifest.annotations, artifactType: manifest.artifactType ?? manifest.config.mediaType.rawValue)
        case .index(let index):
            guard let subject = index.subject else { return nil }
            self.subject = subject
            descriptor = Descriptor(
                mediaType: document.mediaType, digest: document.digest, size: Int64(document.bytes.count),
                annotations: index.annotations, artifactType: index.artifactType)
        }
    }
}
