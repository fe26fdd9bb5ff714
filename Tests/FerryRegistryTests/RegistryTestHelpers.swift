import FerryEngine
import FerryRegistry
import FerrySpec
import FerryTestSupport
import FerryTransports
import Testing

/// Registry options for the plain local registry: no credential files from the machine.
let plainOptions = RegistryOptions(useCredentialFiles: false)

/// The platforms of the multi-platform index the tests push.
let twoPlatforms = [
    Platform(os: "linux", architecture: "amd64"),
    Platform(os: "linux", architecture: "arm64", variant: "v8"),
]

/// A layout with image `v1` (two gzip layers) and index `multi` (two platforms).
func buildLayout(_ path: String, seed: UInt64) async throws -> TestImageBuilder.Summary {
    var builder = TestImageBuilder(seed: seed)
    builder.addImage(tag: "v1", layerCount: 2, layerSize: 8192)
    builder.addIndex(tag: "multi", platforms: twoPlatforms, layerCount: 1, layerSize: 2048)
    return try await builder.write(to: path)
}

/// Copies entry `name` of an OCI layout to `docker://registry/repository:tag`.
@discardableResult
func push(
    layout: String, name: String, to registry: String, repository: String, tag: String, options: RegistryOptions = plainOptions
) async throws -> CopyReport {
    let reference = try Reference(parsing: "\(registry)/\(repository):\(tag)")
    return try await TransportReference(docker: reference).withDestination(registry: options) { destination in
        try await CopyOperation(
            source: try OCILayoutSource(path: layout), destination: destination, selector: .name(name), options: CopyOptions(destinationNames: [tag])
        ).run()
    }
}

/// Copies `docker://registry/repository:tag` into an OCI layout under `tag`.
@discardableResult
func pull(_ registry: String, repository: String, tag: String, into layout: String, options: RegistryOptions = plainOptions) async throws -> CopyReport {
    let reference = try Reference(parsing: "\(registry)/\(repository):\(tag)")
    return try await TransportReference(docker: reference).withSource(registry: options) { source in
        try await CopyOperation(source: source, destination: try OCILayoutDestination(path: layout, durable: false)).run()
    }
}
