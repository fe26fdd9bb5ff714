import ArgumentParser
import Foundation

/// Shell completions for values (`ferry --generate-completion-script bash|zsh|fish`).
enum Completions {
    /// `--format`.
    static let format = CompletionKind.list(["oci", "v2s2", "v2s1"])
    /// `--compress`.
    static let compress = CompletionKind.list(["keep", "none", "gzip", "gzip:fast", "gzip:best", "zstd", "zstd:fast", "zstd:best"])
    /// `--archive-layout`.
    static let archiveLayout = CompletionKind.list(["legacy", "docker25"])
    /// `--platform`: the common ones.
    static let platform = CompletionKind.list([
        "linux/amd64", "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64",
        "windows/amd64",
    ])
    /// `--progress`.
    static let progress = CompletionKind.list(ProgressMode.allCases.map(\.rawValue))

    /// A place: the transport prefixes until one is typed, then the paths after it.
    static let place = CompletionKind.custom { _, _, typed in
        let transports = ["oci:", "oci-archive:", "docker-archive:", "dir:", "docker://"]
        guard let colon = typed.firstIndex(of: ":"), !typed.hasPrefix("docker:") else {
            return transports.filter { $0.hasPrefix(typed) }
        }
        let transport = typed[...colon]
        let path = String(typed[typed.index(after: colon)...])
        let directory = path.contains("/") ? String(path[...path.lastIndex(of: "/")!]) : ""
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return names.sorted().map { transport + directory + $0 }.filter { $0.hasPrefix(typed) }
    }
}
