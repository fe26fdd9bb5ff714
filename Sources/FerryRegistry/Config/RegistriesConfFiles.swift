import FerrySpec
import FerryStreams
import Foundation

/// Where containers' `registries.conf` files are, and reading them, as containers/image does:
/// the main file is `$CONTAINERS_REGISTRIES_CONF`, else `~/.config/containers/registries.conf`
/// when it exists, else `/etc/containers/registries.conf`; drop-ins are the `*.conf` files, in
/// name order, of `/etc/containers/registries.conf.d` and then
/// `~/.config/containers/registries.conf.d` (only the latter when the user's main file is used).
public enum RegistriesConfFiles {
    /// The files read, in order, for `environment` (missing ones are skipped when read).
    public static func paths(environment: [String: String]) -> [String] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let userFile = configHome + "/containers/registries.conf"
        let userDirectory = configHome + "/containers/registries.conf.d"
        let systemDirectory = "/etc/containers/registries.conf.d"
        var main = "/etc/containers/registries.conf"
        var directories = [systemDirectory, userDirectory]
        if let explicit = environment["CONTAINERS_REGISTRIES_CONF"], !explicit.isEmpty {
            main = explicit
        } else if FileSystem.exists(userFile) {
            main = userFile
            directories = [userDirectory]
        }
        var paths = [main]
        for directory in directories where [.directory, .symlink].contains(FileSystem.kind(of: directory)) {
            let names = ((try? FileSystem.contents(of: directory)) ?? []).filter { $0.hasSuffix(".conf") && !$0.hasPrefix(".") }.sorted()
            paths += names.map { directory + "/" + $0 }
        }
        return paths
    }

    /// The short-name alias cache podman writes (containers-registries.conf(5)):
    /// `/var/cache/containers/short-name-aliases.conf` for root, else
    /// `$XDG_CACHE_HOME` (or `~/.cache`) `/containers/short-name-aliases.conf`.
    public static func shortNameAliasesPath(environment: [String: String], isRoot: Bool = geteuid() == 0) -> String {
        if isRoot { return "/var/cache/containers/short-name-aliases.conf" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        return cacheHome + "/containers/short-name-aliases.conf"
    }

    /// The configuration the files of `environment` give (empty when there are none), the
    /// short-name alias cache (``shortNameAliasesPath(environment:isRoot:)``) read last.
    /// - Throws: ``SpecError`` naming `file:line` for a file Ferry cannot read as registries.conf,
    ///   or ``StreamError`` for one that cannot be read at all.
    public static func load(environment: [String: String]) throws -> RegistriesConfiguration {
        var configuration = RegistriesConfiguration()
        for path in paths(environment: environment) where [.regular, .symlink].contains(FileSystem.kind(of: path)) {
            let bytes = try FileSystem.readFile(path, limit: 4 << 20)
            try configuration.add(String(decoding: bytes, as: UTF8.self), file: path)
        }
        let aliases = shortNameAliasesPath(environment: environment)
        if [.regular, .symlink].contains(FileSystem.kind(of: aliases)) {
            let bytes = try FileSystem.readFile(aliases, limit: 4 << 20)
            try configuration.addShortNameAliases(String(decoding: bytes, as: UTF8.self), file: aliases)
        }
        return configuration
    }
}
