import Foundation
#if canImport(Glibc)
import Glibc
import FerryStreams
#endif

/// The long-lived helper processes of this test process (registries, token server, proxy, moto),
/// and the scratch directory they keep their files in.
///
/// Every process started here is ended with SIGKILL when the test process exits (`atexit`), and
/// a watchdog shell ends it too, within a second, should the test process die without exiting
/// (a crash, a SIGKILL): a child spawned from a Swift concurrency thread inherits that thread's
/// blocked signals, so SIGKILL is the one signal sure to arrive.
///
/// Starting is synchronous and blocks its thread (openssl, the wait for the port), once per
/// service and process; ``TestServices/start(_:)`` runs it on a thread of its own.
enum ServiceProcesses {
    /// What must be ended at exit: a service and its watchdog.
    private struct Started: Sendable {
        var service: Int32
        var watchdog: Int32
    }

    private static let started = Locked<[Started]>([])

    /// This process's scratch directory for services, removed at exit (and by the watchdogs).
    static let scratch: String = {
        var template = Array("\(NSTemporaryDirectory())/ferry-test-services.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        let path = made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "/ferry-test-services-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { ServiceProcesses.endAll() }
        return path
    }()

    /// A fresh directory under ``scratch`` named after `name`.
    static func directory(_ name: String) throws -> String {
        let path = scratch + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts `executable ARGUMENTS…` in the background with its output in `log`, and a watchdog
    /// that ends it if this process dies. Returns the running process.
    static func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw ServiceUnavailable("cannot create \(log)")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? out.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c", "while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; kill -9 \"$2\" 2>/dev/null; rm -rf \"$3\"",
            "ferry-test-watchdog", String(getpid()), String(process.processIdentifier), scratch,
        ]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do {
            try watchdog.run()
        } catch {
            stop(process)
            throw error
        }
        started.withLock {
            $0.append(Started(service: process.processIdentifier, watchdog: watchdog.processIdentifier))
        }
        return process
    }

    /// Ends one process started by ``start(_:_:log:)`` (a failed start), and its watchdog.
    static func stop(_ process: Process) {
        let pid = process.processIdentifier
        let entry = started.withLock { list -> Started? in
            guard let index = list.firstIndex(where: { $0.service == pid }) else { return nil }
            return list.remove(at: index)
        }
        if let entry { kill(entry.watchdog, SIGKILL) }
        if process.isRunning { kill(pid, SIGKILL) }
    }

    /// Runs `executable ARGUMENTS…` to completion in `directory` (openssl, htpasswd), its output
    /// in `log`; throws with that output when it fails.
    static func runToCompletion(_ executable: String, _ arguments: [String], in directory: String, log: String) throws {
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? out.close() }
        out.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ServiceUnavailable("\((executable as NSString).lastPathComponent) failed: \(text.suffix(600))")
        }
    }

    /// Waits up to `timeout` until something accepts TCP connections on 127.0.0.1:`port`;
    /// `false` when `process` exits or the time runs out first.
    static func waitUntilListening(port: Int, process: Process, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if accepts(port: port) { return true }
            guard process.isRunning else { return false }
            usleep(50_000)
        }
        return false
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceUnavailable("socket: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServiceUnavailable("bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ServiceUnavailable("getsockname: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Ends every service and watchdog started here and removes ``scratch``: the `atexit` hook.
    private static func endAll() {
        let list = started.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for entry in list {
            kill(entry.watchdog, SIGKILL)
            kill(entry.service, SIGKILL)
        }
        for entry in list {
            var status: Int32 = 0
            waitpid(entry.service, &status, 0)
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }
}

/// Why a test service could not start; thrown from `.enabled(if:)` conditions when services are
/// required (``TestServices/required``), so that the tests depending on it fail instead of skip.
public struct ServiceUnavailable: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String

    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
