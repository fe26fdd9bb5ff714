import Foundation

/// Runs `body` with a new, empty directory under the system temporary directory, then removes it.
///
/// The directory is removed whether `body` returns or throws. Its name is unique
/// (`ferry-test-<UUID>`), so parallel tests never share one.
/// - Parameter body: receives the absolute path of the directory (no trailing slash).
/// - Returns: what `body` returns.
/// - Throws: what `body` throws, or the error from creating the directory.
public func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var base = FileManager.default.temporaryDirectory.path
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    let path = "\(base)/ferry-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    do {
        let result = try await body(path)
        try? FileManager.default.removeItem(atPath: path)
        return result
    } catch {
        try? FileManager.default.removeItem(atPath: path)
        throw error
    }
}
