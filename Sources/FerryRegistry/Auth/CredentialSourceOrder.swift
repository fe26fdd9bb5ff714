/// One place credentials are kept: containers' and docker's auth files (with the `credHelpers` /
/// `credsStore` they name), or a docker credential helper named by registries.conf's
/// `credential-helpers`.
public enum CredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// The auth files ``CredentialStore`` searches (`containers-auth.json` in registries.conf).
    case authFiles
    /// The program `docker-credential-NAME`.
    case helper(String)

    /// `the auth files`, or the helper's program name.
    public var description: String {
        switch self {
        case .authFiles: "the auth files"
        case .helper(let name): "docker-credential-" + name
        }
    }
}

/// How a list of credential sources is used, as containers/image uses registries.conf's
/// `credential-helpers` (pkg/docker/config): every command looks credentials up in each source in
/// order and the first that has some wins; `login` stores into the first source; `logout` erases
/// from every source.
public enum CredentialSourceOrder {
    /// The sources `list` names, or the auth files alone when there is no list or it is empty
    /// (containers/image's default, and Ferry's behaviour without registries.conf).
    public static func sources(_ list: CredentialHelperList?) -> [CredentialSource] {
        guard let list, !list.sources.isEmpty else { return [.authFiles] }
        return list.sources
    }

    /// The credentials of the first source that has some. A source that fails (a helper that is
    /// missing or answers an error) is passed over; when no source has credentials and one
    /// failed, the failures are the error, so a broken helper is not silently taken for
    /// "anonymous".
    /// - Throws: ``RegistryError`` (`credentials`) joining the failures, only when nothing was found.
    public static func lookup<Source>(_ sources: [Source], _ ask: (Source) throws(RegistryError) -> Credentials?) throws(RegistryError) -> Credentials? {
        var failures: [RegistryError] = []
        for source in sources {
            do {
                if let found = try ask(source) { return found }
            } catch {
                failures.append(error)
            }
        }
        guard failures.isEmpty else { throw joined(failures) }
        return nil
    }

    /// Stores into the first source listed. A failure there is the error: Ferry does not fall
    /// through to a later source (which could be a plain-text auth file the user listed as a
    /// fallback for reading). containers/image's `SetCredentials` would try the next one, but
    /// podman 4.3.1 refuses such a login anyway, since its lookup of existing credentials fails
    /// first on the same broken helper.
    /// - Returns: the source that took the credentials.
    /// - Throws: ``RegistryError`` from the first source, or when there is none.
    public static func store<Source>(_ sources: [Source], _ put: (Source) throws(RegistryError) -> Void) throws(RegistryError) -> Source {
        guard let first = sources.first else { throw RegistryError(.credentials, "there is nowhere to store credentials") }
        try put(first)
        return first
    }

    /// Erases from every source, whatever the others did.
    /// - Parameter remove: erases from one source; `true` when it held an entry.
    /// - Returns: the sources that held an entry, and the failures.
    public static func erase<Source>(
        _ sources: [Source], _ remove: (Source) throws(RegistryError) -> Bool
    ) -> (
        removed: [Source], failures: [RegistryError]
    ) {
        var removed: [Source] = []
        var failures: [RegistryError] = []
        for source in sources {
            do {
                if try remove(source) { removed.append(source) }
            } catch {
                failures.append(error)
            }
        }
        return (removed, failures)
    }

    /// One error holding every failure's message, in order.
    static func joined(_ failures: [RegistryError]) -> RegistryError {
        failures.count == 1 ? failures[0] : RegistryError(.credentials, failures.map(\.message).joined(separator: "; "))
    }
}
