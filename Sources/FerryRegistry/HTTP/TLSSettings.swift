import Foundation
import NIOSSL

/// Builds the TLS configuration for one registry from ``RegistryOptions``: extra CA certificates
/// and a client certificate, from an explicit certificate directory, from the per-host
/// directories docker and the containers tools use, or from explicit files.
enum TLSSettings {
    /// What a certificate directory holds, in docker's convention (`certs.d/HOST:PORT/`):
    /// `*.crt` CA certificates, and `NAME.cert` + `NAME.key` client pairs.
    struct Directory: Equatable {
        var authorities: [String] = []
        var clientPairs: [ClientCertificate] = []
    }

    /// The TLS configuration for `registry`.
    /// - Throws: ``RegistryError`` (`invalidArgument`) naming the directory or file that cannot
    ///   be read or used.
    static func configuration(for registry: String, options: RegistryOptions) throws(RegistryError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !options.tlsVerify { tls.certificateVerification = .none }

        var directories: [String] = []
        if let explicit = options.certificateDirectory {
            directories = [explicit]
        } else {
            var isDirectory: ObjCBool = false
            for root in options.certificateRoots {
                let candidate = root + "/" + registry
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                    directories.append(candidate)
                }
            }
        }
        var authorities: [String] = []
        var client = options.clientCertificate
        for directory in directories {
            let contents = try scan(directory, required: directory == options.certificateDirectory)
            authorities += contents.authorities
            if client == nil { client = contents.clientPairs.first }
        }

        if options.tlsVerify, !authorities.isEmpty {
            var certificates: [NIOSSLCertificate] = []
            for file in authorities {
                do {
                    certificates += try NIOSSLCertificate.fromPEMFile(file)
                } catch {
                    throw RegistryError(.invalidArgument, "\(file) is not a PEM certificate: \(error)")
                }
            }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        if let client {
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(client.certificateFile)
            } catch {
                throw RegistryError(.invalidArgument, "client certificate \(client.certificateFile) cannot be read as PEM: \(error)")
            }
            guard !chain.isEmpty else {
                throw RegistryError(.invalidArgument, "client certificate \(client.certificateFile) holds no certificate")
            }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: client.keyFile, format: .pem)
            } catch {
                throw RegistryError(.invalidArgument, "client key \(client.keyFile) cannot be read as an unencrypted PEM private key: \(error)")
            }
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        return tls
    }

    /// Lists a certificate directory as docker does: every `*.crt` is a CA; every `NAME.cert`
    /// needs `NAME.key` beside it and the reverse. Pairs are in name order; the first is used.
    /// - Parameter required: whether the directory was named explicitly, so that it must exist
    ///   and hold something.
    static func scan(_ directory: String, required: Bool) throws(RegistryError) -> Directory {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw RegistryError(.invalidArgument, "cannot read certificate directory \(directory): \(error.localizedDescription)")
        }
        var contents = Directory()
        let present = Set(names)
        for name in names {
            if name.hasSuffix(".crt") {
                contents.authorities.append(directory + "/" + name)
            } else if name.hasSuffix(".cert") {
                let key = String(name.dropLast(".cert".count)) + ".key"
                guard present.contains(key) else {
                    throw RegistryError(.invalidArgument, "certificate directory \(directory): client certificate \(name) has no key \(key) beside it")
                }
                contents.clientPairs.append(ClientCertificate(certificateFile: directory + "/" + name, keyFile: directory + "/" + key))
            } else if name.hasSuffix(".key") {
                let certificate = String(name.dropLast(".key".count)) + ".cert"
                guard present.contains(certificate) else {
                    throw RegistryError(.invalidArgument, "certificate directory \(directory): key \(name) has no client certificate \(certificate) beside it")
                }
            }
        }
        if required, contents.authorities.isEmpty, contents.clientPairs.isEmpty {
            throw RegistryError(
                .invalidArgument, "certificate directory \(directory) holds no *.crt file (expected ca.crt) and no client.cert / client.key pair")
        }
        return contents
    }
}
