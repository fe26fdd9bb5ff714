import Foundation

/// Throwaway certificate authorities and certificates for the TLS test registries, made with
/// `openssl` at each start (valid for two days).
enum TestCertificates {
    /// The `openssl` binary, or a ``ServiceUnavailable`` naming what is missing.
    static func openssl() throws -> String {
        guard let path = ExternalTool.find("openssl") else { throw ServiceUnavailable("openssl not installed") }
        return path
    }

    /// A self-signed CA named `commonName`: writes `key` and `certificate` (paths relative to
    /// `directory`).
    static func authority(_ commonName: String, key: String, certificate: String, in directory: String) throws {
        try ServiceProcesses.runToCompletion(
            try openssl(),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(commonName)",
                "-keyout", key, "-out", certificate,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: directory, log: directory + "/openssl.log")
    }

    /// A self-signed certificate that is not a CA (the token signer's).
    static func selfSigned(_ commonName: String, key: String, certificate: String, in directory: String) throws {
        try ServiceProcesses.runToCompletion(
            try openssl(),
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(commonName)",
                "-keyout", key, "-out", certificate,
            ], in: directory, log: directory + "/openssl.log")
    }

    /// A certificate for `commonName` signed by the CA in `authorityKey` / `authorityCertificate`,
    /// with the extensions in `extensions` (one `name=value` per line).
    static func issue(
        _ commonName: String, key: String, certificate: String, extensions: [String],
        authorityKey: String, authorityCertificate: String, in directory: String
    ) throws {
        let name = (certificate as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "-")
        let request = name + ".csr"
        let extensionFile = name + ".ext"
        try (extensions.joined(separator: "\n") + "\n")
            .write(toFile: directory + "/" + extensionFile, atomically: true, encoding: .utf8)
        let log = directory + "/openssl.log"
        try ServiceProcesses.runToCompletion(
            try openssl(),
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)", "-keyout", key, "-out", request,
            ], in: directory, log: log)
        try ServiceProcesses.runToCompletion(
            try openssl(),
            [
                "x509", "-req", "-in", request, "-CA", authorityCertificate, "-CAkey", authorityKey, "-CAcreateserial",
                "-days", "2", "-extfile", extensionFile, "-out", certificate,
            ], in: directory, log: log)
    }

    /// A server certificate for 127.0.0.1 and localhost.
    static func server(key: String, certificate: String, authorityKey: String, authorityCertificate: String, in directory: String) throws {
        try issue(
            "127.0.0.1", key: key, certificate: certificate,
            extensions: [
                "subjectAltName=IP:127.0.0.1,DNS:localhost", "basicConstraints=CA:FALSE",
                "extendedKeyUsage=serverAuth",
            ],
            authorityKey: authorityKey, authorityCertificate: authorityCertificate, in: directory)
    }
}
