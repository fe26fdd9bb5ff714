import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    /// The exit status, or the signal number when the process was killed by a signal.
    public var exitCode: Int32
    /// Everything the process wrote to standard output, byte for byte.
    public var stdoutBytes: [UInt8]
    /// Everything the process wrote to standard error, byte for byte.
    public var stderrBytes: [UInt8]

    /// Standard output decoded as UTF-8 (invalid sequences replaced).
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid sequences replaced).
    public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    /// Whether the process exited with status 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// An error from ``ExternalTool``.
public struct ExternalToolError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the tool.
    public var description: String

    /// Creates an error with a message.
    public init(_ description: String) { self.description = description }
}

/// Finds and runs the peer programs tests compare Ferry with (skopeo, umoci, oci-image-tool, gzip…).
///
/// A test that needs a tool skips when it is missing:
/// `@Test(.enabled(if: ExternalTool.skopeoAvailable, "skopeo not installed"))`.
public enum ExternalTool {
    /// The absolute path of the executable `name`, searched along `PATH`, or `nil` when absent.
    ///
    /// A `name` containing a slash is checked as a path and returned when executable.
    public static func find(_ name: String) -> String? {
        let fileManager = FileManager.default
        if name.contains("/") {
            return fileManager.isExecutableFile(atPath: name) ? name : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    /// Whether `skopeo` is on `PATH`.
    public static var skopeoAvailable: Bool { find("skopeo") != nil }
    /// Whether `umoci` is on `PATH`.
    public static var umociAvailable: Bool { find("umoci") != nil }
    /// Whether `oci-image-tool` is on `PATH`.
    public static var ociImageToolAvailable: Bool { find("oci-image-tool") != nil }
    /// Whether `gzip` is on `PATH` (``TestImageBuilder`` needs it for compressed layers).
    public static var gzipAvailable: Bool { find("gzip") != nil }
    /// Whether `bsdtar` is on `PATH`.
    public static var bsdtarAvailable: Bool { find("bsdtar") != nil }
    /// Whether `docker-registry` (CNCF distribution) is on `PATH`.
    public static var dockerRegistryAvailable: Bool { find("docker-registry") != nil }

    /// The path of `name`, or an error saying it is missing.
    /// - Throws: ``ExternalToolError`` when `name` is not on `PATH`.
    public static func require(_ name: String) throws -> String {
        guard let path = find(name) else {
            throw ExternalToolError("\(name) not found on PATH (Scripts/setup installs it)")
        }
        return path
    }

    /// Runs `path` with `args` and waits for it to exit.
    ///
    /// Standard output and error go to temporary files, not pipes, so a child that writes
    /// megabytes cannot block on a full pipe while we wait for it; both are read back whole
    /// after exit, so keep outputs test-sized. A non-zero exit is *not* an error: check
    /// ``ProcessResult/exitCode`` or use ``runChecked(_:_:stdin:)``.
    /// - Parameters:
    ///   - path: the executable, absolute or a name looked up with ``find(_:)``.
    ///   - args: the arguments, without the program name.
    ///   - stdin: bytes fed to standard input; `nil` connects it to `/dev/null`.
    ///   - environment: the child's whole environment; `nil` inherits ours.
    ///   - currentDirectory: the child's working directory; `nil` inherits ours.
    /// - Throws: ``ExternalToolError`` when the program is missing, or the error from
    ///   launching it.
    public static func run(
        _ path: String, _ args: [String], stdin: [UInt8]? = nil,
        environment: [String: String]? = nil, currentDirectory: String? = nil
    ) async throws -> ProcessResult {
        guard let executable = find(path) else {
            throw ExternalToolError("\(path): no such executable (not on PATH?)")
        }
        return try await withTemporaryDirectory { scratch in
            let outPath = scratch + "/stdout"
            let errPath = scratch + "/stderr"
            let inPath = scratch + "/stdin"
            let fileManager = FileManager.default
            guard fileManager.createFile(atPath: outPath, contents: nil),
                fileManager.createFile(atPath: errPath, contents: nil),
                fileManager.createFile(atPath: inPath, contents: Data(stdin ?? []))
            else {
                throw ExternalToolError("cannot create capture files in \(scratch)")
            }

            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = args
            if let environment { process.environment = environment }
            if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
            let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            defer { try? outHandle.close() }
            let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            defer { try? errHandle.close() }
            let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin == nil ? "/dev/null" : inPath))
            defer { try? inHandle.close() }
            process.standardOutput = outHandle
            process.standardError = errHandle
            process.standardInput = inHandle

            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                // Set before run(): the handler must see every exit, even an immediate one.
                process.terminationHandler = { finished in
                    continuation.resume(returning: finished.terminationStatus)
                }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
            let out = try Data(contentsOf: URL(fileURLWithPath: outPath))
            let err = try Data(contentsOf: URL(fileURLWithPath: errPath))
            return ProcessResult(exitCode: status, stdoutBytes: [UInt8](out), stderrBytes: [UInt8](err))
        }
    }

    /// Runs a tool and returns its result, throwing when it exits non-zero.
    /// - Throws: ``ExternalToolError`` naming the command, its status and its standard error.
    @discardableResult
    public static func runChecked(
        _ path: String, _ args: [String], stdin: [UInt8]? = nil
    ) async throws -> ProcessResult {
        let result = try await run(path, args, stdin: stdin)
        guard result.succeeded else {
            throw ExternalToolError(
                "\(([path] + args).joined(separator: " ")) exited \(result.exitCode): \(result.stderr)")
        }
        return result
    }
}
