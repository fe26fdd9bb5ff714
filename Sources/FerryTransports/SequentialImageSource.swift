import FerrySpec
import FerryStreams

/// A source that reads fastest front to back — a compressed archive, where reaching a member means
/// decompressing everything before it. The engine hands it every blob the copy needs and receives
/// each as the source passes it, so the whole archive is decompressed once instead of once per blob.
public protocol SequentialImageSource: ImageSource {
    /// Whether one front-to-back pass beats opening blobs one by one, for this source as opened.
    var prefersSequentialReads: Bool { get }

    /// Calls `body` once for each of `blobs` that one pass over the source meets, in the source's
    /// order, with a stream of the blob's raw bytes that is valid only during that call.
    ///
    /// Blobs the pass does not meet are not visited (the engine opens them with ``blob(_:)``).
    /// An error from `body` ends the pass and is rethrown.
    func forEachBlob(_ blobs: [Descriptor], _ body: (Descriptor, sending any ByteStream) async throws -> Void) async throws
}
