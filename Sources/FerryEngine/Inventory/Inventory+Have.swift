import FerrySpec
import FerryStreams
import FerryTransports

extension InventoryOperation {
    /// What `ferry sync --have FILE` names: an inventory file (``Inventory``), or a bundle sent
    /// earlier — one file, a parts manifest or its first part, or `oci-archive:FILE` — whose
    /// inventory is taken (with the blobs a delta bundle relied on: the far side has those too).
    /// - Throws: ``TransportError`` when the file is neither; ``SpecError`` for an inventory of
    ///   another version.
    public static func have(_ argument: String) async throws -> Inventory {
        if argument.hasPrefix("oci-archive:") {
            return try await InventoryOperation(places: [.local(argument)]).run()
        }
        guard FileSystem.exists(argument) else { throw TransportError(.notFound, "--have \(argument): no such file") }
        let head = try FileSystem.readRange(argument, offset: 0, length: 512)
        let isJSON = head.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } == UInt8(ascii: "{")
        if isJSON, !argument.hasSuffix(BundleParts.fileSuffix) {
            let bytes = try FileSystem.readFile(argument, limit: 64 << 20)
            do {
                return try Inventory.decode(bytes, context: "--have \(argument)")
            } catch {
                throw TransportError(.invalidInput, error.message)
            }
        }
        return try await InventoryOperation(places: [.local("oci-archive:" + argument)]).run()
    }

    /// The blobs of several inventories together (a blob's repositories from all of them).
    public static func merged(_ inventories: [Inventory]) -> [Digest: Inventory.Blob] {
        Inventory.byDigest(inventories.flatMap(\.blobs))
    }
}
