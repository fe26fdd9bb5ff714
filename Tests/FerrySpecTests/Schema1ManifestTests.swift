import FerrySpec
import Testing

private let idA = String(repeating: "a", count: 64)
private let idB = String(repeating: "b", count: 64)
private let blob = "sha256:" + String(repeating: "1", count: 64)

private func v1(_ id: String, parent: String? = nil, extra: String = "") -> String {
    var fields = ["\\\"id\\\":\\\"\(id)\\\""]
    if let parent { fields.append("\\\"parent\\\":\\\"\(parent)\\\"") }
    if !extra.isEmpty { fields.append(extra) }
    return "{\"v1Compatibility\":\"{" + fields.joined(separator: ",") + "}\"}"
}

private func manifest(layers: Int, history: [String]) -> [UInt8] {
    let fs = Array(repeating: "{\"blobSum\":\"\(blob)\"}", count: layers).joined(separator: ",")
    return Array(
        "{\"schemaVersion\":1,\"name\":\"n\",\"tag\":\"t\",\"architecture\":\"amd64\",\"fsLayers\":[\(fs)],\"history\":[\(history.joined(separator: ","))]}"
            .utf8)
}

@Suite("Schema 1 manifest validation (formats.md §6.1)")
struct Schema1ManifestTests {
    @Test("a parent chain decodes, top first")
    func validChain() throws {
        let m = try Schema1Manifest(decoding: manifest(layers: 2, history: [v1(idA, parent: idB), v1(idB)]), context: "m")
        #expect(m.v1Compatibility.map(\.id) == [idA, idB])
        #expect(m.imageLayers.count == 2)
    }

    @Test("consecutive duplicate ids are dropped from fsLayers and history")
    func duplicatesDropped() throws {
        let m = try Schema1Manifest(decoding: manifest(layers: 3, history: [v1(idA, parent: idB), v1(idB), v1(idB)]), context: "m")
        #expect(m.fsLayers.count == 2)
        #expect(m.history.count == 2)
    }

    /// Each row breaks one rule; the message must name it.
    @Test(
        "invalid manifests are refused with a message naming the rule",
        arguments: [
            // fsLayers and history must pair up
            (manifest(layers: 1, history: [v1(idA, parent: idB), v1(idB)]), "1 fsLayers but 2 history"),
            // v1Compatibility must be JSON
            (
                Array("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"\(blob)\"}],\"history\":[{\"v1Compatibility\":\"{not json\"}]}".utf8),
                "history[0].v1Compatibility"
            ),
            // ids are 64 lowercase hex
            (manifest(layers: 1, history: [v1(idA.uppercased())]), "not 64 lowercase hex"),
            // each parent is the next id
            (manifest(layers: 2, history: [v1(idA, parent: idA), v1(idB)]), "expected the next entry's id"),
            // the base has no parent
            (manifest(layers: 1, history: [v1(idA, parent: idB)]), "the base has none"),
            // an id may not reappear later
            (manifest(layers: 3, history: [v1(idA, parent: idB), v1(idB, parent: idA), v1(idA)]), "appears again"),
        ])
    func refuses(bytes: [UInt8], message: String) {
        #expect {
            _ = try Schema1Manifest(decoding: bytes, context: "m")
        } throws: { error in
            guard let error = error as? SpecError else { return false }
            return error.code == .invalidDocument && error.message.contains(message)
        }
    }

    @Test("throwaway entries become empty_layer history; config drops the v1 fields")
    func configFromHistory() throws {
        let d = "sha256:" + String(repeating: "2", count: 64)
        let m = try Schema1Manifest(
            decoding: manifest(
                layers: 2,
                history: [
                    v1(
                        idA, parent: idB,
                        extra:
                            "\\\"throwaway\\\":true,\\\"os\\\":\\\"linux\\\",\\\"Size\\\":3,\\\"container_config\\\":{\\\"Cmd\\\":[\\\"a\\\",\\\"&&\\\",\\\"b\\\"]}"
                    ),
                    v1(idB),
                ]), context: "m")
        #expect(m.imageLayers.count == 1)
        let config = String(decoding: try m.imageConfig(diffIDs: [try Digest(parsing: d)], context: "m"), as: UTF8.self)
        #expect(
            config
                == #"{"container_config":{"Cmd":["a","\u0026\u0026","b"]},"history":[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z","created_by":"a \u0026\u0026 b","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["\#(d)"]}}"#
        )
    }
}
