import FerrySpec
import Testing

/// Decoding errors speak JSON, not Swift: `an object`, never `Dictionary<String, Any>`
/// (issue 12, item 10).
@Suite("Decoding messages")
struct DecodingMessageTests {
    @Test(arguments: [
        (#"{"schemaVersion":2,"config":"x","layers":[]}"#, "config has the wrong type (expected an object)"),
        (
            #"{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":{}}"#,
            "layers has the wrong type (expected an array)"
        ),
        (#"{"schemaVersion":"2","config":{},"layers":[]}"#, "schemaVersion has the wrong type (expected a number)"),
        (
            #"{"schemaVersion":2,"config":{"mediaType":7,"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"#,
            "config.mediaType has the wrong type (expected a string)"
        ),
    ])
    func wrongTypesAreNamedInJSONTerms(_ json: String, _ expected: String) {
        do {
            _ = try JSONDocument.decode(ImageManifest.self, from: Array(json.utf8), context: "m")
            Issue.record("decoded \(json)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            for swiftName in ["Dictionary", "Array<", "String.Type", "Int"] {
                #expect(!error.message.contains(swiftName), "\(error.message)")
            }
        }
    }
}
