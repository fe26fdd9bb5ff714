import FerrySpec
import FerryStreams
import Testing

@Suite("DigestHasher")
struct DigestHasherTests {
    // FIPS 180-2 / NIST test vectors.
    @Test(arguments: [
        ("", Digest.Algorithm.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", .sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", .sha512, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        ("abc", .sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ])
    func knownVectors(input: String, algorithm: Digest.Algorithm, hex: String) throws {
        let digest = try DigestHasher.digest(Array(input.utf8), algorithm: algorithm)
        #expect(digest == (try Digest(algorithm, hex: hex)))
    }

    @Test func incrementalUpdatesMatchOneShot() throws {
        let data = sampleData(count: 100_000)
        let hasher = try DigestHasher(.sha256)
        for start in stride(from: 0, to: data.count, by: 7_777) {
            hasher.update(Array(data[start..<min(start + 7_777, data.count)]))
        }
        #expect(hasher.finalize() == (try DigestHasher.digest(data)))
    }
}
