import FerryRegistry
import FerrySpec
import FerryTransports

/// Runs `body`; when a registry answers 404 for the tag `place` names, the error also lists a few
/// tags the repository does have, and says that `latest` was assumed when no tag was written.
/// The error stays a "not found" (exit 3).
func withTagHints<T>(_ place: TransportReference, options: RegistryOptions, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as RegistryError where error.code == .notFound {
        guard let reference = place.dockerReference, reference.digest == nil else { throw error }
        // A short name registries.conf resolves elsewhere than its Docker Hub reading: no hints.
        if place.writtenShortName != nil, (try? place.pullPlaces(options.registriesConfiguration).map(\.0.reference)) != [reference] { throw error }
        let tag = reference.tag ?? Reference.defaultTag
        guard error.url?.hasSuffix("/\(reference.repository)/manifests/\(tag)") == true else { throw error }
        var message = error.message
        if reference.tag == nil {
            message += "; no tag was given, so \(Reference.defaultTag) was assumed"
        }
        // A repository that does not exist answers the tag list with 404 too: then say nothing more.
        let listed = try? await withRegistryClient(reference.domain, options: options) { client in
            try await client.tags(reference.repository)
        }
        if let tags = listed, tags.isEmpty {
            message += "; \(reference.name) has no tags"
        } else if let tags = listed {
            let shown = tags.sorted().prefix(8).joined(separator: ", ")
            message += "; \(reference.name) has \(tags.count) tag\(tags.count == 1 ? "" : "s"): \(shown)\(tags.count > 8 ? ", …" : "")"
        }
        throw RegistryError(error.code, message, method: error.method, url: error.url, status: error.status, details: error.details)
    }
}
