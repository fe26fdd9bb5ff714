import Foundation

/// What a document turned out to be.
public enum DecodedDocument: Sendable {
    case manifest(ImageManifest)
    case index(ImageIndex)
    /// Docker schema 1 (kept raw; the schema 1 module reads it).
    case schema1
}
