import Foundation

/// Decodes a registry's error body, `{"errors":[{"code":"…","message":"…","detail":…}]}`
/// (formats.md §8.5). Bodies that are not such JSON (proxies, load balancers) yield no entries;
/// their text is kept, shortened, for the message.
enum ErrorBody {
    /// The largest error body read (as go-containerregistry: 64 KiB).
    static let limit = 64 * 1024

    private struct Envelope: Decodable {
        struct Entry: Decodable {
            var code: String?
            var message: String?
        }
        var errors: [Entry]?
    }

    /// The entries of `bytes`, or an empty list when it is not a distribution error body.
    static func details(_ bytes: [UInt8]) -> [RegistryError.Detail] {
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(bytes)) else { return [] }
        return (envelope.errors ?? []).map { .init(code: $0.code ?? "UNKNOWN", message: $0.message ?? "") }
    }

    /// The start of a non-JSON body as one printable line, for messages.
    static func excerpt(_ bytes: [UInt8], limit: Int = 200) -> String {
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
            .map { $0.isNewline ? " " : $0 }
        let line = String(text).trimmingCharacters(in: .whitespaces)
        return bytes.count > limit ? line + "…" : line
    }
}
