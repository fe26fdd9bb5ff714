import FerrySpec
import FerryTransports

/// One image of a resolved image set: where it is read from and the full reference it is known
/// by (its name in a layout or bundle, its repository path and tag in a registry).
public struct SyncItem: Sendable, Hashable, CustomStringConvertible {
    /// The image's identity: `HOST/REPOSITORY:TAG` or `HOST/REPOSITORY@DIGEST`.
    public var reference: Reference
    /// Where its group reads from.
    public var origin: ImageSet.Origin
    /// For a local source, which of its entries.
    public var localSelector: ImageSelector?
    /// The position of its group in the image set (for the group's options).
    public var group: Int

    public init(reference: Reference, origin: ImageSet.Origin, localSelector: ImageSelector? = nil, group: Int) {
        self.reference = reference
        self.origin = origin
        self.localSelector = localSelector
        self.group = group
    }

    /// The tag, or `nil` for an image selected by digest.
    public var tag: String? { reference.digest == nil ? reference.tag : nil }

    public var description: String {
        switch origin {
        case .registry: return "docker://\(reference)"
        case .local(let place): return "\(place) (\(reference))"
        }
    }
}
