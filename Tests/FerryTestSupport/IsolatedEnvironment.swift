import Foundation

/// The process environment for running the built ferry against a registries.conf of a test's
/// own: `conf` written as `DIR/registries.conf` (`CONTAINERS_REGISTRIES_CONF`), and a private
/// home under `DIR/home` (no user drop-ins, no auth files yet: `HOME`, `XDG_CONFIG_HOME` and
/// `DOCKER_CONFIG` point there; `REGISTRY_AUTH_FILE` and `XDG_RUNTIME_DIR` are unset).
/// - Parameter path: `PATH` to use instead of the process's (a directory of helper programs first).
public func isolatedEnvironment(_ dir: String, registriesConf conf: String, path: String? = nil) throws -> [String: String] {
    try FileManager.default.createDirectory(atPath: dir + "/home", withIntermediateDirectories: true)
    try conf.write(toFile: dir + "/registries.conf", atomically: true, encoding: .utf8)
    var environment = ProcessInfo.processInfo.environment
    environment["CONTAINERS_REGISTRIES_CONF"] = dir + "/registries.conf"
    environment["HOME"] = dir + "/home"
    environment["XDG_CONFIG_HOME"] = dir + "/home/.config"
    environment["DOCKER_CONFIG"] = dir + "/home/.docker"
    environment.removeValue(forKey: "REGISTRY_AUTH_FILE")
    environment.removeValue(forKey: "XDG_RUNTIME_DIR")
    if let path { environment["PATH"] = path }
    return environment
}
