import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTransports

/// The registries a copy reads from and writes to, to tell whose failure a ``RegistryError`` is:
/// the source's (exit 3) or the destination's (exit 4).
struct CopyRegistries: Sendable {
    /// The source registry's repository, when the source is `docker://`.
    var source: Reference?
    /// The destination registry's repository, when the destination is `docker://` (where
    /// registries.conf sends the push).
    var destination: Reference?
    /// Every host the source may be read from besides ``source``'s own (registries.conf mirrors,
    /// locations, a short name's candidates).
    var sourceDomains: Set<String> = []

    /// A registry error is the destination's when only the destination is a registry, or, between
    /// two registries, when its URL is on the destination's host (on one host: in the
    /// destination's repository and not the source's).
    func side(of error: any Error) -> FailureKind.RegistrySide {
        guard let destination, let e = error as? RegistryError else { return .source }
        guard let source else { return .destination }
        guard let url = e.url else { return .source }
        if !sourceDomains.union([source.domain]).contains(destination.domain) {
            return url.contains("//\(destination.domain)/") ? .destination : .source
        }
        let inDestination = url.contains("/v2/\(destination.repository)/")
        let inSource = url.contains("/v2/\(source.repository)/")
        return inDestination && !inSource ? .destination : .source
    }
}

extension CopyRegistries {
    /// The registries of a copy from `source` to `destination` as registries.conf resolves them:
    /// the destination where its push goes, and every host a pull of the source may try.
    init(
        source: TransportReference, destination: TransportReference, sourceConfiguration: RegistriesConfiguration,
        destinationConfiguration: RegistriesConfiguration
    ) {
        self.init(source: source.dockerReference, destination: destination.dockerReference)
        if let pushed = (try? destination.pushEndpoint(destinationConfiguration)) ?? nil {
            self.destination = pushed.endpoint.reference
        }
        sourceDomains = Set(((try? source.pullPlaces(sourceConfiguration)) ?? []).map(\.0.reference.domain))
    }
}
