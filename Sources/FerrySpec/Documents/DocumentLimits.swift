import Foundation

/// Limits on documents Ferry decodes, so that hostile input cannot exhaust memory.
public enum DocumentLimits {
    /// Manifests, indexes, configs and `index.json`: 4 MiB, as distribution and containers/image cap them.
    public static let maximumDocumentSize = 4 * 1024 * 1024
}
