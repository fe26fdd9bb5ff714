import FerrySpec
import FerryStreams

/// Paths and checks shared by the OCI image-layout source and destination.
///
/// See image-spec `image-layout.md`: `oci-layout`, `index.json`, `blobs/<alg>/<encoded>`.
enum OCILayout {
    static let layoutFileName = "oci-layout"
    static let indexFileName = "index.json"
    static let supportedVersion = "1.0.0"
    static let layoutFileBytes = Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)

    /// The relative path of a blob inside a layout.
    ///
    /// Safe for any parsed ``Digest``: its grammar admits no `/` or `.` in either part.
    static func blobPath(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm)/\(digest.encoded)"
    }

    /// The `oci-layout` file must be a JSON object naming version 1.0.0.
    static func checkLayoutFile(_ bytes: [UInt8], path: String) throws(TransportError) {
        struct Header: Decodable { var imageLayoutVersion: String }
        let header: Header
        do {
            header = try JSONDocument.decode(Header.self, from: bytes, context: path)
        } catch {
            throw TransportError(.invalidInput, "\(error.message) (expected {\"imageLayoutVersion\":\"1.0.0\"})")
        }
        guard header.imageLayoutVersion == supportedVersion else {
            throw TransportError(.invalidInput, "\(path): imageLayoutVersion \(Echo.quoted(header.imageLayoutVersion)) is not supported (only 1.0.0 exists)")
        }
    }
}
