import Foundation

/// Starting Debian's `docker-registry` (CNCF distribution) for tests: a throwaway registry on a
/// free 127.0.0.1 port with its storage under ``ServiceProcesses/scratch``.
enum RegistryService {
    /// The parts of a registry's `config.yml` that differ between the kinds of test registry.
    struct Settings {
        /// `auth:` section lines (already indented by two spaces), or none.
        var auth: [String] = []
        /// `http.tls:` section lines (indented by four spaces), or none for plain HTTP.
        var tls: [String] = []
        /// Whether the access log (one line per request) goes to the registry's log.
        var accessLog = false
        /// Whether schema 1 manifests are accepted (the plain registry's schema 1 tests).
        var schema1 = false
    }

    /// A running registry.
    struct Running {
        /// Its port on 127.0.0.1.
        var port: Int
        /// Its log file (stdout and stderr).
        var log: String
    }

    /// Starts a registry in `directory` with `settings`, trying three free ports.
    ///
    /// - Parameter settings: the config for a given port (token auth names its token server's).
    static func start(in directory: String, _ settings: (Int) throws -> Settings) throws -> Running {
        guard let registry = ExternalTool.find("docker-registry") else {
            throw ServiceUnavailable("docker-registry not installed (Scripts/setup installs it)")
        }
        var lastLog = ""
        for _ in 1...3 {
            let port = try ServiceProcesses.freePort()
            let config = directory + "/config.yml"
            try configuration(port: port, storage: directory + "/data", settings: try settings(port))
                .write(toFile: config, atomically: true, encoding: .utf8)
            let log = directory + "/registry.log"
            let process = try ServiceProcesses.start(registry, ["serve", config], log: log)
            if ServiceProcesses.waitUntilListening(port: port, process: process) {
                return Running(port: port, log: log)
            }
            ServiceProcesses.stop(process)
            lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        throw ServiceUnavailable("docker-registry did not start in \(directory): \(lastLog.suffix(600))")
    }

    private static func configuration(port: Int, storage: String, settings: Settings) -> String {
        var lines = [
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: \(!settings.accessLog)",
            "storage:",
            "  filesystem:",
            "    rootdirectory: \(storage)",
            "  delete:",
            "    enabled: true",
            "  redirect:",
            "    disable: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
        ]
        if !settings.auth.isEmpty { lines += ["auth:"] + settings.auth }
        lines += [
            "http:",
            "  addr: 127.0.0.1:\(port)",
            "  secret: ferry-test-\(UInt64.random(in: 0...UInt64.max))",
        ]
        if !settings.tls.isEmpty { lines += ["  tls:"] + settings.tls }
        lines += ["health:", "  storagedriver:", "    enabled: false"]
        if settings.schema1 { lines += ["compatibility:", "  schema1:", "    enabled: true"] }
        return lines.joined(separator: "\n") + "\n"
    }
}
