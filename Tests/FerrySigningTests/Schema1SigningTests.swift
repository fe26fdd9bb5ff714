import FerrySigning
import FerrySpec
import FerryStreams
import FerryTestSupport
import Foundation
import Testing

private func fixture(_ relative: String) throws -> [UInt8] {
    let path = try #require(SharedFixtures.interopPath("manifests/" + relative))
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

@Suite("Schema 1 signatures and digests (shared fixtures)", .enabled(if: SharedFixtures.interopDirectory != nil, "no ../shared/interop"))
struct Schema1FixtureSignatureTests {
    @Test("moby good_manifest: payload digest 02fee8c3…, signature verifies")
    func goodManifest() throws {
        let bytes = try fixture("schema1-signed/moby-hello-world-good_manifest.json")
        let envelope = try Schema1Envelope(parsing: bytes, context: "good")
        #expect(try Schema1Signing.digest(of: bytes, context: "good").description == "sha256:02fee8c3220ba806531f606525eceb83f4feb654f62b207191b1c9209188dedd")
        #expect(envelope.signatures.first?.formatLength == 3197)
        guard case .verified = Schema1Signing.verify(envelope) else {
            Issue.record("expected a verified signature, got \(Schema1Signing.verify(envelope))")
            return
        }
        let manifest = try Schema1Manifest(decoding: envelope.payload, context: "good")
        #expect(manifest.fsLayers.first == .gzippedEmptyLayer)
    }

    @Test("moby extra_data_manifest: same digest, and fsLayers come from the signed payload")
    func extraData() throws {
        let bytes = try fixture("schema1-signed/moby-hello-world-extra_data_manifest.json")
        let envelope = try Schema1Envelope(parsing: bytes, context: "extra")
        #expect(try DigestHasher.digest(envelope.payload).description == "sha256:02fee8c3220ba806531f606525eceb83f4feb654f62b207191b1c9209188dedd")
        #expect(Schema1Signing.verify(envelope) != .unsigned)
        if case .invalid(let reason) = Schema1Signing.verify(envelope) { Issue.record("signature should verify: \(reason)") }
        #expect(try Schema1Manifest(decoding: envelope.payload, context: "extra").fsLayers.first == .gzippedEmptyLayer)
    }

    @Test("containers/image v2s1: digest 7364fea9… equals the unsigned file's, but the signature is invalid")
    func cimageSigned() throws {
        let signed = try fixture("schema1-signed/cimage-v2s1.manifest.json")
        let unsigned = try fixture("schema1-unsigned/cimage-v2s1-unsigned.manifest.json")
        let envelope = try Schema1Envelope(parsing: signed, context: "cimage")
        #expect(envelope.payload == unsigned)
        #expect(try Schema1Signing.digest(of: signed, context: "c").description == "sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000")
        guard case .invalid = Schema1Signing.verify(envelope) else {
            Issue.record("expected an invalid signature, got \(Schema1Signing.verify(envelope))")
            return
        }
        #expect(Schema1Signing.verify(try Schema1Envelope(parsing: unsigned, context: "u")) == .unsigned)
        #expect(try Schema1Manifest(decoding: unsigned, context: "u").fsLayers.count == 3)
    }

    @Test("`signatures: 1` is an error, not an unsigned manifest")
    func signaturesNotArray() throws {
        let bytes = try fixture("../broken/cimage-v2s1-invalid-signatures.manifest.json")
        #expect(throws: SpecError.self) { try Schema1Envelope(parsing: bytes, context: "broken") }
    }
}

@Suite("Schema 1 signing")
struct Schema1SigningTests {
    let payload = Array(#"{"name":"a","tag":"b","architecture":"amd64","fsLayers":[],"history":[],"schemaVersion":1}"#.utf8)

    @Test("a signed payload keeps its digest and verifies")
    func signAndVerify() throws {
        let key = try P256Key.generate()
        let signed = try Schema1Signing.sign(payload, key: key)
        let envelope = try Schema1Envelope(parsing: signed, context: "signed")
        #expect(envelope.payload == payload)
        #expect(envelope.signatures.first?.formatTail == Array("}".utf8))
        #expect(Schema1Signing.verify(envelope) == .verified(keyIDs: [try Schema1Signing.keyID(key)]))
        #expect(try JSONSerialization.jsonObject(with: Data(signed)) is [String: Any])
    }

    @Test("a payload edited after signing is reported")
    func tampered() throws {
        var signed = try Schema1Signing.sign(payload, key: try P256Key.generate())
        let at = try #require(signed.firstIndex(of: UInt8(ascii: "a")))
        signed[at] = UInt8(ascii: "z")
        guard case .invalid = Schema1Signing.verify(try Schema1Envelope(parsing: signed, context: "t")) else {
            Issue.record("tampered payload verified")
            return
        }
    }

    @Test("key ids look like libtrust's: 12 groups of 4 base32 characters")
    func keyIDShape() throws {
        let id = try Schema1Signing.keyID(try P256Key.generate())
        let groups = id.split(separator: ":")
        #expect(groups.count == 12)
        #expect(groups.allSatisfy { $0.count == 4 && $0.allSatisfy { $0.isUppercase || ("2"..."7").contains($0) } })
    }
}
