import Foundation
import FerryStreams

/// AWS credentials and region from the environment and the shared files, the way the AWS CLI and
/// SDKs find them (the parts Ferry needs; no SSO, no `credential_process`, no instance roles).
///
/// Credentials, first found wins:
/// 1. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
/// 2. the profile's section of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`,
///    default `~/.aws/credentials`, sections `[name]`);
/// 3. the profile's section of the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`,
///    sections `[profile name]`, and `[default]`).
///
/// The profile is `AWS_PROFILE`, else `default`. Keys: `aws_access_key_id`,
/// `aws_secret_access_key`, `aws_session_token`.
public struct AWSConfiguration: Sendable {
    /// The environment read (the process's by default).
    public var environment: [String: String]

    /// A configuration reading `environment` (the process's when `nil`).
    public init(environment: [String: String]? = nil) {
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    private var home: String { value("HOME") ?? NSHomeDirectory() }

    /// The profile named by `AWS_PROFILE`, else `default`.
    public var profile: String { value("AWS_PROFILE") ?? "default" }

    /// The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var credentialsFilePath: String { value("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials" }

    /// The config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configFilePath: String { value("AWS_CONFIG_FILE") ?? home + "/.aws/config" }

    /// The credentials found, or `nil` when there are none.
    /// - Throws: ``RegistryError`` (`credentials`) when a file exists but cannot be read, or a
    ///   section has a key id without a secret (or the environment has one without the other).
    public func credentials() throws(RegistryError) -> AWSCredentials? {
        let id = value("AWS_ACCESS_KEY_ID"), secret = value("AWS_SECRET_ACCESS_KEY")
        if let id, let secret {
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        }
        if id != nil || secret != nil {
            throw RegistryError(.credentials, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
        }
        if let section = try Self.section(profile, in: credentialsFilePath), let found = try Self.credentials(in: section, path: credentialsFilePath) {
            return found
        }
        let configSection = profile == "default" ? "default" : "profile " + profile
        if let section = try Self.section(configSection, in: configFilePath), let found = try Self.credentials(in: section, path: configFilePath) {
            return found
        }
        return nil
    }

    /// The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` in the
    /// config file; `nil` when none is set.
    public func region() throws(RegistryError) -> String? {
        if let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") { return region }
        let configSection = profile == "default" ? "default" : "profile " + profile
        return try Self.section(configSection, in: configFilePath)?["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: INI files

    private static func credentials(in section: [String: String], path: String) throws(RegistryError) -> AWSCredentials? {
        guard let id = section["aws_access_key_id"], !id.isEmpty else { return nil }
        guard let secret = section["aws_secret_access_key"], !secret.isEmpty else {
            throw RegistryError(.credentials, "\(path): aws_access_key_id without aws_secret_access_key")
        }
        let token = section["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }

    /// The keys of section `[name]` of the INI file at `path`, or `nil` when the file or the
    /// section does not exist.
    static func section(_ name: String, in path: String) throws(RegistryError) -> [String: String]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path, limit: 1 << 20)
        } catch {
            throw RegistryError(.credentials, "cannot read AWS file \(path): \(error.message)")
        }
        return parse(String(decoding: bytes, as: UTF8.self))[name]
    }

    /// Sections of an INI text: `[name]` headers, `key = value` lines, `#` and `;` comments.
    /// Section names have inner runs of blanks collapsed (`[profile  x]` is `profile x`).
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current]?[key] = value
        }
        return sections
    }
}
