import FerrySpec
import Testing

/// The referrers tag schema's tag names and what a referrers list says about a document.
struct ReferrersTests {
    @Test(arguments: [
        // The common case: `<alg>-<hex>`.
        ("sha256:" + String(repeating: "ab", count: 32), "sha256-" + String(repeating: "ab", count: 32)),
        // The encoded part is cut to 64 characters (sha512 has 128).
        ("sha512:" + String(repeating: "cd", count: 64), "sha512-" + String(repeating: "cd", count: 32)),
        // Characters a tag cannot hold (`+`, `=`) become `-`.
        ("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564=", "sha256-b64u-LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564-"),
    ])
    func fallbackTagOfADigest(digest: String, tag: String) throws {
        let parsed = try Digest(parsing: digest)
        #expect(parsed.referrersTag == tag)
        #expect(Reference.isValidTag(parsed.referrersTag))
    }

    @Test func referrerTakesArtifactTypeFromTheManifestOrItsConfig() throws {
        let subject = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "1", count: 64))","size":10}"#
        let config = #"{"mediaType":"application/vnd.example.config+json","digest":"sha256:\#(String(repeating: "2", count: 64))","size":2}"#
        let withType =
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json","config":\#(config),"layers":[],"subject":\#(subject),"annotations":{"a":"b"}}"#
        let withoutType = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[],"subject":\#(subject)}"#
        let plain = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[]}"#
        let digest = try Digest(parsing: "sha256:" + String(repeating: "3", count: 64))
        func document(_ json: String) -> RawDocument { RawDocument(bytes: Array(json.utf8), mediaType: .ociManifest, digest: digest) }

        let typed = try #require(try Referrer(document(withType), context: "test"))
        #expect(typed.subject.digest.encoded == String(repeating: "1", count: 64))
        #expect(typed.descriptor.artifactType == "application/spdx+json")
        #expect(typed.descriptor.annotations == ["a": "b"])
        #expect(typed.descriptor.size == Int64(withType.utf8.count))
        #expect(try Referrer(document(withoutType), context: "test")?.descriptor.artifactType == "application/vnd.example.config+json")
        #expect(try Referrer(document(plain), context: "test") == nil)
    }
}
