import Foundation

/// A containerd of its own for one test: scratch root, state and socket under the test's
/// temporary directory, the CRI plugin off; started before the body and killed after it (its
/// exit awaited). `ctr` talks to it through ``ctr(_:)``.
public struct ScratchContainerd: Sendable {
    /// The gRPC socket.
    public let socket: String

    /// Why containerd cannot run here, or `nil` when it can: missing binaries, or not root
    /// (containerd needs root for its content and snapshot stores).
    public static var unavailableReason: String? {
        if ExternalTool.find("containerd") == nil || ExternalTool.find("ctr") == nil { return "containerd/ctr not installed (Scripts/setup)" }
        if getuid() != 0 { return "containerd needs root here" }
        return nil
    }

    /// `ctr -a SOCKET -n ferrytest ARGS…`, checked.
    @discardableResult
    public func ctr(_ arguments: [String]) async throws -> ProcessResult {
        try await ExternalTool.runChecked("ctr", ["-a", socket, "-n", "ferrytest"] + arguments)
    }
}

/// Runs `body` with a ``ScratchContainerd`` rooted in `directory`.
/// - Throws: ``ExternalToolError`` when containerd does not answer within 120 s (with its log
///   and the last `ctr version` answer); a loaded two-core machine running the whole suite can
///   take a while.
public func withScratchContainerd<T>(in directory: String, _ body: (ScratchContainerd) async throws -> T) async throws -> T {
    let root = directory + "/containerd"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let socket = root + "/c.sock"
    let config = """
        version = 2
        root = "\(root)/root"
        state = "\(root)/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(socket)"
        [ttrpc]
          address = "\(socket).ttrpc"
        [debug]
          address = "\(root)/debug.sock"
        """
    try config.write(toFile: root + "/config.toml", atomically: true, encoding: .utf8)
    let logPath = root + "/containerd.log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    defer { try? log.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ExternalTool.require("containerd"))
    process.arguments = ["--config", root + "/config.toml"]
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    let (exits, exited) = AsyncStream<Int32>.makeStream()
    process.terminationHandler = { finished in
        exited.yield(finished.terminationStatus)
        exited.finish()
    }
    try process.run()
    let daemon = ScratchContainerd(socket: socket)
    let result: Result<T, any Error>
    do {
        let deadline = ContinuousClock.now + .seconds(120)
        var answer = "no answer yet"
        while true {
            let probe = try? await ExternalTool.run("ctr", ["-a", socket, "version"])
            if probe?.succeeded == true { break }
            answer = probe.map { "exit \($0.exitCode): \($0.stderr)" } ?? "ctr could not be run"
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw ExternalToolError(
                    "containerd did not start (running: \(process.isRunning); ctr version: \(answer)): \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")"
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        result = .success(try await body(daemon))
    } catch {
        result = .failure(error)
    }
    kill(process.processIdentifier, SIGKILL)
    for await _ in exits {}
    return try result.get()
}

/// podman with its own storage (`vfs`) under a test's temporary directory, so it touches no
/// system image store.
public struct ScratchPodman: Sendable {
    /// The storage root.
    public let directory: String
    /// The run root: podman refuses one longer than 50 characters, so it is a short directory of
    /// its own under /tmp, removed by ``remove()``.
    public let runRoot: String

    public init(in directory: String) throws {
        self.directory = directory + "/podman"
        var template = Array("/tmp/ferry-pod-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ExternalToolError("mkdtemp failed for podman's run root") }
        runRoot = String(cString: made)
    }

    /// Removes the run root (the storage root goes with the test's temporary directory).
    public func remove() {
        try? FileManager.default.removeItem(atPath: runRoot)
    }

    /// Why podman cannot run here, or `nil` when it can.
    public static var unavailableReason: String? {
        if ExternalTool.find("podman") == nil { return "podman not installed (Scripts/setup)" }
        if getuid() != 0 { return "rootless podman needs user namespaces and subuids; these tests run it as root" }
        return nil
    }

    /// `podman --root … --runroot … --storage-driver vfs ARGS…`, checked.
    @discardableResult
    public func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ExternalTool.runChecked("podman", ["--root", directory + "/root", "--runroot", runRoot, "--storage-driver", "vfs"] + arguments)
    }
}
