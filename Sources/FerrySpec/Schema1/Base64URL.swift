import Foundation

/// Base64url without padding (RFC 7515 §2), the encoding of every JWS part.
public enum Base64URL {
    /// Encodes bytes as base64url without `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url, with or without padding; `nil` when `text` is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("=") || text.hasSuffix("=") else { return nil }
        standard = standard.replacingOccurrences(of: "=", with: "")
        switch standard.utf8.count % 4 {
        case 0: break
        case 2: standard += "=="
        case 3: standard += "="
        default: return nil
        }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
