import Foundation
import FerryStreams

/// Deterministic test data: runs of text-like bytes mixed with pseudo-random bytes, so that it
/// compresses somewhat, like real layers.
func sampleData(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var bytes = [UInt8]()
    bytes.reserveCapacity(count)
    let words = Array("the quick brown fox jumps over the lazy dog /usr/lib/x86_64-linux-gnu ".utf8)
    while bytes.count < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        let run = Int(state % 512) + 1
        if state & 1 == 0 {
            for i in 0..<run { bytes.append(words[(Int(state >> 8) + i) % words.count]) }
        } else {
            var s = state
            for _ in 0..<run {
                s = s &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: s >> 56))
            }
        }
    }
    return Array(bytes.prefix(count))
}

/// Every byte of a stream, and the sizes of the chunks it came in.
func collect(_ stream: any ByteStream) async throws -> (bytes: [UInt8], chunks: [Int]) {
    var bytes: [UInt8] = []
    var chunks: [Int] = []
    while let chunk = try await stream.next() {
        bytes.append(contentsOf: chunk)
        chunks.append(chunk.count)
    }
    return (bytes, chunks)
}

/// A fresh directory under the system temporary directory, removed when the test is done.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-streams-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

/// The path of an executable on PATH, or `nil`.
func tool(_ name: String) -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for directory in directories {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

struct ToolFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs a tool and returns its standard output; throws when it exits non-zero.
@discardableResult
func run(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> [UInt8] {
    guard let executable = tool(name) else { throw ToolFailure(description: "\(name) not found") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolFailure(description: "\(name) \(arguments) failed: \(String(decoding: errorData, as: UTF8.self))")
    }
    return Array(data)
}

/// The code of the `StreamError` a body throws, or `nil` if it throws something else or nothing.
func streamErrorCode(_ body: () async throws -> Void) async -> StreamError.Code? {
    await streamError(body)?.code
}

/// The `StreamError` a body throws, or `nil` if it throws something else or nothing.
func streamError(_ body: () async throws -> Void) async -> StreamError? {
    do {
        try await body()
        return nil
    } catch let error as StreamError {
        return error
    } catch {
        return nil
    }
}
