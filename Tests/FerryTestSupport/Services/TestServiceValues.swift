import Foundation

/// The registry that requires a client certificate (``TestServices/mutualTLSRegistry``).
public struct MutualTLSRegistry: Sendable {
    /// `127.0.0.1:PORT`.
    public var host: String
    /// A certificate directory with `ca.crt`, `client.cert` and `client.key`.
    public var certificates: String
    /// A directory with only `ca.crt`.
    public var authorityOnly: String

    /// Describes a running registry.
    public init(host: String, certificates: String, authorityOnly: String) {
        self.host = host
        self.certificates = certificates
        self.authorityOnly = authorityOnly
    }
}

/// The tinyproxy forward and CONNECT proxy (``TestServices/proxy``).
public struct TestProxy: Sendable {
    /// `127.0.0.1:PORT`.
    public var address: String
    /// Its log: one `Request (file descriptor N): CONNECT host:port HTTP/1.1` line per request.
    public var log: String

    /// Describes a running proxy.
    public init(address: String, log: String) {
        self.address = address
        self.log = log
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://" + address }

    /// The log's current length, to read only what a test adds after it.
    public func mark() -> Int {
        (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The request lines logged since `mark`.
    public func requests(since mark: Int) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: log))
        let text = String(decoding: data.dropFirst(mark), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.contains("Request (") }.map(String.init)
    }
}
