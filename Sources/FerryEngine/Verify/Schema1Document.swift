import FerrySpec

/// The one reading of a Docker schema 1 manifest that copy and verify share: the signed envelope
/// split off, then the payload's fields (formats.md §1.2).
enum Schema1Document {
    /// Why a copy would refuse `bytes` as a schema 1 manifest, or `nil` when it reads them.
    /// A body that is not schema 1 at all (`schemaVersion` 2 under a schema 1 label) is a media
    /// type mismatch; other failures are invalid fields.
    static func problem(_ bytes: [UInt8], context: String) -> (code: VerificationCode, message: String)? {
        do {
            let envelope = try Schema1Envelope(parsing: bytes, context: context)
            _ = try Schema1Manifest(decoding: envelope.payload, context: context)
            return nil
        } catch {
            struct Probe: Decodable { var schemaVersion: Int? }
            if let version = (try? JSONDocument.decode(Probe.self, from: bytes, context: context))?.schemaVersion, version != 1 {
                return (.mediaTypeMismatch, "labelled Docker schema 1 but its schemaVersion is \(version): \(error.message)")
            }
            return (.documentInvalidField, error.message)
        }
    }
}
