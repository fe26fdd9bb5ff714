import FerrySpec
import FerryTransports
import Testing

/// `docker-archive:PATH[:REF|:@N]`: the path ends at the first `:`, the reference is a docker
/// reference (which may contain `:`), normalised so every spelling selects the same image.
struct DockerArchiveReferenceTests {
    @Test(arguments: [
        // No reference: the only image.
        ("docker-archive:app.tar", "app.tar", ImageSelector.only),
        // Familiar, bare and fully-qualified names all mean the same normalised reference.
        ("docker-archive:app.tar:busybox:latest", "app.tar", .name("docker.io/library/busybox:latest")),
        ("docker-archive:app.tar:busybox", "app.tar", .name("docker.io/library/busybox:latest")),
        ("docker-archive:app.tar:docker.io/library/busybox:latest", "app.tar", .name("docker.io/library/busybox:latest")),
        ("docker-archive:app.tar:index.docker.io/library/busybox:latest", "app.tar", .name("docker.io/library/busybox:latest")),
        // A registry with a port: the reference keeps its colons.
        ("docker-archive:/tmp/x.tar:localhost:5000/a/b:1.0", "/tmp/x.tar", .name("localhost:5000/a/b:1.0")),
        ("docker-archive:x.tar:ferry/hello:1.0", "x.tar", .name("docker.io/ferry/hello:1.0")),
        // Position.
        ("docker-archive:x.tar:@1", "x.tar", .index(1)),
    ])
    func parses(_ string: String, _ path: String, _ selector: ImageSelector) throws {
        let reference = try TransportReference(parsing: string)
        #expect(reference.kind == .dockerArchive)
        #expect(reference.path == path)
        #expect(reference.selector == selector)
    }

    @Test(arguments: [
        // A digest is not a docker-archive reference.
        "docker-archive:x.tar:busybox@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        // Not a docker reference (uppercase repository, empty path, bad position).
        "docker-archive:x.tar:UPPER:1",
        "docker-archive::busybox:latest",
        "docker-archive:x.tar:@one",
    ])
    func refuses(_ string: String) {
        #expect(throws: TransportError.self) { try TransportReference(parsing: string) }
    }

    @Test func ociParsingIsUnchanged() throws {
        let reference = try TransportReference(parsing: "oci:./layout:1.0")
        #expect(reference.kind == .oci)
        #expect(reference.selector == .name("1.0"))
    }

    @Test func positionCannotBeWritten() throws {
        let reference = try TransportReference(parsing: "docker-archive:x.tar:@0")
        #expect(throws: TransportError.self) { _ = try reference.openDestination() }
    }
}
