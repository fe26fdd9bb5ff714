/// A client certificate and its private key, both PEM files, presented to registries that ask for
/// one (mutual TLS): `--client-cert FILE --client-key FILE`, or a `client.cert` / `client.key`
/// pair in a certificate directory.
public struct ClientCertificate: Sendable, Hashable {
    /// The certificate, optionally followed by its intermediate certificates.
    public var certificateFile: String
    /// The unencrypted private key of the first certificate.
    public var keyFile: String

    /// Names the two files; they are read when a client is opened.
    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}
