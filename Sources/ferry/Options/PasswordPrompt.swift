import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
import FerryStreams
#endif

/// Asks for a password on the terminal without echoing it: on `/dev/tty` when it can be opened,
/// else on standard input when that is a terminal. Answers are remembered for the process, so a
/// command that builds its registry options twice asks once.
enum PasswordPrompt {
    private static let answers = Locked<[String: String]>([:])

    /// The password typed for `user` after the prompt `Password for USER: ` (written to the
    /// terminal, never to standard output).
    /// - Parameter flag: the option that asked (`--creds`), named when there is no terminal.
    /// - Throws: `ValidationError` when there is no terminal to ask on, or nothing was typed.
    static func password(for user: String, flag: String) throws -> String {
        let key = flag + "\u{0}" + user
        if let known = answers.withLock({ $0[key] }) { return known }
        guard let typed = try ask("Password for \(user): ", echo: false) else {
            throw noTerminal(flag)
        }
        guard !typed.isEmpty else { throw ValidationError("no password was typed for \(user)") }
        answers.withLock { $0[key] = typed }
        return typed
    }

    /// A line typed after `prompt` with echo on (a user name), or `nil` without a terminal.
    static func line(_ prompt: String) throws -> String? {
        try ask(prompt, echo: true)
    }

    /// Whether there is a terminal to ask on.
    static var hasTerminal: Bool {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        if fd >= 0 { close(fd); return true }
        return isatty(STDIN_FILENO) == 1
    }

    /// The error for `flag` when no terminal can be asked.
    static func noTerminal(_ flag: String) -> ValidationError {
        ValidationError(
            "\(flag) without a password needs a terminal to ask for it; there is none (give USER:PASSWORD, or use --password-stdin with ferry login)")
    }

    private static func ask(_ prompt: String, echo: Bool) throws -> String? {
        var fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        let owned = fd >= 0
        if !owned {
            guard isatty(STDIN_FILENO) == 1 else { return nil }
            fd = STDIN_FILENO
        }
        defer { if owned { close(fd) } }
        let out = owned ? fd : STDERR_FILENO
        write(out, prompt)
        var saved = termios()
        let canToggle = tcgetattr(fd, &saved) == 0
        if !echo && canToggle {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(fd, TCSANOW, &quiet)
        }
        defer { if !echo && canToggle { _ = tcsetattr(fd, TCSANOW, &saved) } }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 || byte == 0x0a { break }
            bytes.append(byte)
        }
        if bytes.last == 0x0d { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
