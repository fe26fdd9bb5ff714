/// The stable identifier of a kind of problem, as `ferry verify --json` writes it.
///
/// Codes are part of the report schema (`docs/verify-report.md`): new ones may be added, existing
/// ones never change meaning.
public struct VerificationCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    // docker-archive
    /// A `manifest.json` `RepoTags` entry that is not a valid `name:tag` reference.
    public static let archiveRepoTagInvalid = Self("archive-repotag-invalid")
    /// `repositories` disagrees with `manifest.json`, or is not `{"repo":{"tag":"id"}}` (an error
    /// when unreadable, else a warning).
    public static let archiveRepositoriesInconsistent = Self("archive-repositories-inconsistent")
    /// A regular member that nothing references (warning).
    public static let archiveMemberUnreferenced = Self("archive-member-unreferenced")

    // Source and layout
    /// The source could not be opened or read (exit 3).
    public static let sourceUnreadable = Self("source-unreadable")
    /// `oci-layout` or `index.json` is missing or invalid, so the layout cannot be walked.
    public static let layoutInvalid = Self("layout-invalid")
    /// The image named in the source string is not in the layout.
    public static let imageNotFound = Self("image-not-found")
    /// `blobs/` is missing.
    public static let layoutBlobsMissing = Self("layout-blobs-missing")
    /// An entry under `blobs/` is a symlink resolving outside the layout (or nowhere).
    public static let blobOutsideLayout = Self("blob-outside-layout")
    /// An entry under `blobs/` is not a regular file (a directory, device, misplaced file).
    public static let blobNotRegularFile = Self("blob-not-regular-file")
    /// A file under `blobs/` whose name is not a digest: nothing can reference it (warning).
    public static let blobNameInvalid = Self("blob-name-invalid")
    /// A download a copy cut short kept under `blobs/` (`.ENCODED.partial`), which the next copy
    /// into the layout continues or removes (warning).
    public static let blobPartialDownload = Self("blob-partial-download")
    /// A blob no walked document references (warning; only when the whole layout is verified).
    public static let blobUnreferenced = Self("blob-unreferenced")

    // Blobs
    /// A referenced blob is not in the source.
    public static let blobMissing = Self("blob-missing")
    /// A layer a delta bundle does not carry because its destination has it (`ferry-delta.json`;
    /// a note).
    public static let blobReliedOn = Self("blob-relied-on")
    /// A blob's bytes do not hash to its descriptor's digest.
    public static let blobDigestMismatch = Self("blob-digest-mismatch")
    /// A blob is longer or shorter than its descriptor's size.
    public static let blobSizeMismatch = Self("blob-size-mismatch")
    /// A blob could not be read (I/O error, unsafe path).
    public static let blobUnreadable = Self("blob-unreadable")
    /// A digest of an algorithm the OCI registers but Ferry cannot compute (`blake3`): the
    /// content is not checked (warning).
    public static let digestUnverifiable = Self("digest-unverifiable")
    /// A digest of an algorithm the OCI does not register (`sha1`, `md5`): nothing can check the
    /// content, and every peer refuses it (error).
    public static let digestAlgorithmUnregistered = Self("digest-algorithm-unregistered")
    /// An index entry whose manifest the source does not hold: a sparse index, as containerd
    /// exports write (note; the image-layout spec allows it).
    public static let indexChildAbsent = Self("index-child-absent")

    // Documents
    /// A manifest, index or config that is not JSON, or not a JSON object.
    public static let documentInvalidJSON = Self("document-invalid-json")
    /// A document over the 4 MiB limit (not read).
    public static let documentTooLarge = Self("document-too-large")
    /// A required field is missing or has the wrong type.
    public static let documentMissingField = Self("document-missing-field")
    /// A field has a value the spec does not allow.
    public static let documentInvalidField = Self("document-invalid-field")
    /// `schemaVersion` is not 2.
    public static let schemaVersionInvalid = Self("schema-version-invalid")
    /// A document's content is of another kind than its descriptor says (an image manifest
    /// labelled as an index, or the reverse).
    public static let mediaTypeMismatch = Self("media-type-mismatch")
    /// A document's own `mediaType` field names another type than its descriptor, whose type
    /// the document is read as (warning).
    public static let mediaTypeFieldDiffers = Self("media-type-field-differs")
    /// A media type Ferry does not know (warning; the blob is still digest-checked).
    public static let mediaTypeUnknown = Self("media-type-unknown")
    /// A descriptor that is malformed: bad media type, negative size, bad `data`, not an object.
    public static let descriptorInvalid = Self("descriptor-invalid")
    /// A descriptor whose digest string is outside the grammar.
    public static let descriptorInvalidDigest = Self("descriptor-invalid-digest")
    /// A config or layer type the manifest type does not allow (error), or allows only by
    /// convention (warning): see `docs/verify-report.md`.
    public static let typeNotAllowed = Self("type-not-allowed")
    /// A `platform` without `os`/`architecture`, or with fields of the wrong type.
    public static let platformInvalid = Self("platform-invalid")
    /// `annotations` that is not a map of strings.
    public static let annotationsInvalid = Self("annotations-invalid")
    /// A `subject` that is not a manifest descriptor, or an `artifactType` that is not a media type.
    public static let artifactFieldInvalid = Self("artifact-field-invalid")
    /// Indexes nest too deep or contain themselves.
    public static let indexCycle = Self("index-cycle")
    /// Docker schema 1: digest-checked only (warning).
    public static let schema1NotChecked = Self("schema1-not-checked")

    // Configs
    /// `rootfs.type` is not `layers`.
    public static let rootfsTypeInvalid = Self("rootfs-type-invalid")
    /// The number of `diff_ids` differs from the number of layers.
    public static let diffIDCountMismatch = Self("diff-id-count-mismatch")
    /// A layer's uncompressed content does not hash to its `diff_id`.
    public static let diffIDMismatch = Self("diff-id-mismatch")
    /// The number of non-empty history entries differs from the number of layers.
    public static let historyCountMismatch = Self("history-count-mismatch")

    // Layers
    /// The layer's magic bytes say another compression than its media type.
    public static let layerCompressionMismatch = Self("layer-compression-mismatch")
    /// The layer does not decompress (corrupt or truncated compressed data).
    public static let layerCorrupt = Self("layer-corrupt")
    /// The uncompressed layer is not a readable tar (bad checksum, truncated member).
    public static let tarInvalid = Self("tar-invalid")
    /// The tar ends without its end-of-archive marker (warning).
    public static let tarEndMarkerMissing = Self("tar-end-marker-missing")
    /// A member name whose `..` components climb out of the root.
    public static let tarMemberEscapes = Self("tar-member-escapes-root")
    /// A hard link to a member not seen earlier in the layer.
    public static let tarHardLinkUnknown = Self("tar-hardlink-target-unknown")
    /// An absolute member name (warning).
    public static let tarMemberAbsolute = Self("tar-member-absolute")
    /// A character or block device (warning).
    public static let tarDeviceNode = Self("tar-device-node")
}
