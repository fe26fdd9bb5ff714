import FerrySpec
import FerryTransports

/// Everything a user types to name an image: image references, transport references
/// (`oci:path:tag`, `docker://…`), digests and platforms.
enum ReferenceTarget {
    /// Parses the input every way; a reference that parses must print as text that parses back
    /// to the same reference.
    @Sendable static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        if let reference = try? Reference(parsing: text) {
            let printed = reference.description
            guard let again = try? Reference(parsing: printed), again == reference else {
                fatalError("reference \(text.debugDescription) prints as \(printed.debugDescription), which does not parse back to it")
            }
            _ = reference.normalized.description
        }
        _ = try? TransportReference(parsing: text).description
        _ = try? Digest(parsing: text)
        _ = try? Platform(parsing: text)
        _ = Reference.isValidTag(text)
        _ = Reference.isValidLayoutReferenceName(text)
        _ = TransportReference.isValidLayoutName(text)
    }
}
