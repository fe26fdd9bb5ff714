import Foundation
import FerryRegistry
import FerryStreams
import Testing

/// Cases of AWS's Signature Version 4 test suite (`aws-sig-v4-test-suite`, as shipped with the
/// AWS SDKs' test data): credentials AKIDEXAMPLE, region us-east-1, service `service`, time
/// 20150830T123600Z, host example.amazonaws.com. Inputs and expected outputs are the suite's
/// published `.req` / `.creq` / `.sts` / `.authz` values.
@Suite struct SigV4SignerTests {
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let host = (name: "Host", value: "example.amazonaws.com")
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var query: String
        var extraHeaders: [String: String]
        var body: String
        var canonicalRequest: String?
        var stringToSignHash: String?
        var signedHeaders: String
        var signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", query: "", extraHeaders: [:], body: "",
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signedHeaders: "host;x-amz-date",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", query: "Param2=value2&Param1=value1", extraHeaders: [:], body: "",
            canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            signedHeaders: "host;x-amz-date",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "post-vanilla", method: "POST", query: "", extraHeaders: [:], body: "",
            canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: nil,
            signedHeaders: "host;x-amz-date",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", query: "",
            extraHeaders: ["Content-Type": "application/x-www-form-urlencoded"], body: "Param1=value1",
            canonicalRequest:
                "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSignHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    @Test("aws-sig-v4-test-suite", arguments: vectors)
    func suite(_ vector: Vector) {
        let headers = [Self.host] + vector.extraHeaders.map { (name: $0.key, value: $0.value) }
        let result = Self.signer.sign(method: vector.method, path: "/", query: vector.query, headers: headers, body: Array(vector.body.utf8), date: Self.date)
        if let canonical = vector.canonicalRequest { #expect(result.canonicalRequest == canonical) }
        let lines = result.stringToSign.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines.prefix(3) == ["AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/service/aws4_request"])
        if let hash = vector.stringToSignHash { #expect(lines.last.map(String.init) == hash) }
        #expect(result.signedHeaders == vector.signedHeaders)
        #expect(result.signature == vector.signature)
        #expect(
            result.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)"
        )
        #expect(result.headers.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
    }

    @Test func sessionTokenIsSignedAndSent() {
        var signer = Self.signer
        signer.credentials.sessionToken = "token-value"
        let result = signer.sign(method: "GET", path: "/", headers: [Self.host], body: [], date: Self.date)
        #expect(result.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(result.canonicalRequest.contains("\nx-amz-security-token:token-value\n"))
        #expect(result.headers.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(result.signature != Self.vectors[0].signature)
    }

    @Test func headerValuesAreTrimmedAndNamesLowercased() {
        let result = Self.signer.sign(method: "GET", path: "/", headers: [Self.host, (name: "My-Header1", value: "  a   b  ")], body: [], date: Self.date)
        #expect(result.canonicalRequest.contains("\nmy-header1:a b\n"))
    }

    @Test func hmacMatchesRFC4231Case2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mac = HMACSHA256.authenticate("what do ya want for nothing?", key: Array("Jefe".utf8))
        #expect(HMACSHA256.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
