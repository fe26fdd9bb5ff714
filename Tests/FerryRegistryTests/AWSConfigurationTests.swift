import Foundation
import FerryRegistry
import Testing

/// AWS credential and region lookup from the environment and the shared files, table-driven over
/// temporary files.
@Suite struct AWSConfigurationTests {
    static let credentialsFile = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secret/default

        [dev]
        aws_access_key_id=AKIDDEV
        aws_secret_access_key=secret-dev
        aws_session_token = token-dev
        """
    static let configFile = """
        [default]
        region = eu-west-1

        [profile  cfgonly]
        ; credentials kept in the config file
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = secret-config
        region = ap-south-1

        [profile dev]
        region = us-west-2
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String]
        var expected: AWSCredentials?
        var region: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "environment wins over files",
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret-env", "AWS_SESSION_TOKEN": "tok"],
            expected: AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "secret-env", sessionToken: "tok"), region: "eu-west-1"),
        Case(
            name: "default profile from the credentials file", environment: [:],
            expected: AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret/default"), region: "eu-west-1"),
        Case(
            name: "AWS_PROFILE selects a section, with its token", environment: ["AWS_PROFILE": "dev"],
            expected: AWSCredentials(accessKeyID: "AKIDDEV", secretAccessKey: "secret-dev", sessionToken: "token-dev"), region: "us-west-2"),
        Case(
            name: "credentials from [profile NAME] of the config file", environment: ["AWS_PROFILE": "cfgonly"],
            expected: AWSCredentials(accessKeyID: "AKIDCONFIG", secretAccessKey: "secret-config"), region: "ap-south-1"),
        Case(name: "unknown profile: none", environment: ["AWS_PROFILE": "missing"], expected: nil, region: nil),
        Case(
            name: "AWS_REGION beats AWS_DEFAULT_REGION and the file", environment: ["AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "ca-central-1"],
            expected: AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret/default"), region: "us-east-2"),
        Case(
            name: "AWS_DEFAULT_REGION beats the file", environment: ["AWS_DEFAULT_REGION": "ca-central-1"],
            expected: AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret/default"), region: "ca-central-1"),
    ]

    @Test(arguments: cases)
    func lookup(_ testCase: Case) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.credentialsFile.write(toFile: dir + "/credentials", atomically: true, encoding: .utf8)
        try Self.configFile.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        var environment = testCase.environment
        environment["HOME"] = dir + "/nohome"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = dir + "/credentials"
        environment["AWS_CONFIG_FILE"] = dir + "/config"
        let configuration = AWSConfiguration(environment: environment)
        #expect(try configuration.credentials() == testCase.expected)
        #expect(try configuration.region() == testCase.region)
    }

    @Test func defaultPathsAreUnderHome() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.credentialsFile.write(toFile: dir + "/.aws/credentials", atomically: true, encoding: .utf8)
        let configuration = AWSConfiguration(environment: ["HOME": dir])
        #expect(configuration.credentialsFilePath == dir + "/.aws/credentials")
        #expect(configuration.configFilePath == dir + "/.aws/config")
        #expect(try configuration.credentials()?.accessKeyID == "AKIDDEFAULT")
        #expect(try configuration.region() == nil)
    }

    @Test func noFilesNoCredentials() throws {
        let configuration = AWSConfiguration(environment: ["HOME": "/nonexistent-ferry-home"])
        #expect(try configuration.credentials() == nil)
    }

    @Test func halfAnEnvironmentKeyIsAnError() {
        #expect(throws: RegistryError.self) {
            try AWSConfiguration(environment: ["HOME": "/nonexistent-ferry-home", "AWS_ACCESS_KEY_ID": "AKID"]).credentials()
        }
    }

    @Test func secretNeverPrinted() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "tok")
        #expect(!"\(credentials)".contains("s3cr3t"))
    }

    struct HostCase: Sendable, CustomTestStringConvertible {
        var host, account, region: String
        var fips, china: Bool
        var endpoint: String
        var testDescription: String { host }
    }

    @Test(arguments: [
        HostCase(
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", account: "123456789012", region: "us-east-1", fips: false, china: false,
            endpoint: "https://api.ecr.us-east-1.amazonaws.com/"),
        HostCase(
            host: "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", account: "123456789012", region: "us-gov-west-1", fips: true, china: false,
            endpoint: "https://ecr-fips.us-gov-west-1.amazonaws.com/"),
        HostCase(
            host: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", account: "123456789012", region: "cn-north-1", fips: false, china: true,
            endpoint: "https://api.ecr.cn-north-1.amazonaws.com.cn/"),
        HostCase(
            host: "123456789012.dkr-ecr.eu-west-1.on.aws", account: "123456789012", region: "eu-west-1", fips: false, china: false,
            endpoint: "https://api.ecr.eu-west-1.amazonaws.com/"),
    ])
    func ecrHosts(_ c: HostCase) throws {
        let ecr = try #require(ECRRegistry(host: c.host))
        #expect(ecr.account == c.account)
        #expect(ecr.region == c.region)
        #expect(ecr.fips == c.fips)
        #expect(ecr.china == c.china)
        #expect(ecr.apiEndpoint == c.endpoint)
    }

    @Test(arguments: [
        "docker.io", "public.ecr.aws", "localhost:5000", "dkr.ecr.us-east-1.amazonaws.com", "123.dkr.ecr.us-east-1.amazonaws.org",
        "-1.dkr.ecr.us-east-1.amazonaws.com",
    ])
    func notECR(_ host: String) {
        #expect(ECRRegistry(host: host) == nil)
    }
}
