import Foundation
import FerryRegistry
import FerrySpec
import FerryStreams
import FerryTestSupport
import FerryTransports
import Testing

/// Re-tagging against a registry with immutable tags (Amazon ECR's behaviour, formats.md §9.7):
/// a stub registry (python3, 127.0.0.1) refuses every PUT to an existing tag with `TAG_INVALID`.
/// Ferry PUTs the tag; on a refusal it HEADs the tag and accepts when it already names the same digest.
///
/// The stub once hung this test: a child process inherits the signal mask of the thread that
/// spawns it, and Swift's concurrency threads block nearly every signal, so the stub's SIGTERM
/// stayed pending forever while `waitUntilExit()` held one of the two cooperative threads. Now
/// the stub clears its signal mask, and ``withTestServer(script:arguments:in:_:)`` stops it with
/// SIGKILL and waits for it without blocking.
@Suite(.enabled(if: ExternalTool.find("python3") != nil, "needs python3"))
struct ImmutableTagTests {
    static let stub = #"""
        import hashlib, http.server, json, os, signal, socketserver, sys
        # Spawned from a Swift concurrency thread, this process starts with almost every signal
        # blocked; unblock them so that it can be stopped.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        manifests, tags = {}, {}
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def reply(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers: self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD": self.wfile.write(body)
            def ref(self):
                parts = self.path.split("/manifests/")
                return parts[1] if len(parts) == 2 else None
            def do_GET(self):
                if self.path == "/v2/": return self.reply(200, b"{}")
                self.do_HEAD()
            def do_HEAD(self):
                ref = self.ref()
                digest = tags.get(ref, ref)
                if digest not in manifests: return self.reply(404)
                body, mt = manifests[digest]
                self.reply(200, body, [("Docker-Content-Digest", digest), ("Content-Type", mt)])
            def do_PUT(self):
                ref = self.ref()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                digest = "sha256:" + hashlib.sha256(body).hexdigest()
                if not ref.startswith("sha256:"):
                    if ref in tags:
                        err = {"errors": [{"code": "TAG_INVALID", "message": "The image tag '%s' already exists in the 'app' repository and cannot be overwritten because the repository is immutable." % ref}]}
                        return self.reply(400, json.dumps(err).encode(), [("Content-Type", "application/json")])
                    tags[ref] = digest
                manifests[digest] = (body, self.headers["Content-Type"])
                self.reply(201, b"", [("Docker-Content-Digest", digest)])
        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            def server_bind(self):
                # HTTPServer.server_bind looks the host name up (getfqdn), which can stall on DNS.
                socketserver.TCPServer.server_bind(self)
                self.server_name, self.server_port = "127.0.0.1", self.server_address[1]
        server = Server(("127.0.0.1", 0), H)
        print("port %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static func document(_ text: String) throws -> RawDocument {
        let bytes = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"n":"\#(text)"}}"#.utf8)
        return RawDocument(bytes: bytes, mediaType: .ociIndex, digest: try DigestHasher.digest(bytes))
    }

    @Test func identicalRepushSkipsThePutAndADifferentDigestIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            try Self.stub.write(toFile: dir + "/stub.py", atomically: true, encoding: .utf8)
            try await withTestServer(script: dir + "/stub.py", arguments: [], in: dir) { port in
                let reference = try Reference(parsing: "127.0.0.1:\(port)/app:v1")
                let first = try Self.document("one"), second = try Self.document("two")
                for _ in 0..<2 {
                    try await TransportReference(docker: reference).withDestination(registry: RegistryOptions(useCredentialFiles: false)) { destination in
                        try await destination.putDocument(first)
                        try await destination.addEntry(first.descriptor, names: ["v1"])
                    }
                }
                let error = await #expect(throws: RegistryError.self) {
                    try await TransportReference(docker: reference).withDestination(registry: RegistryOptions(useCredentialFiles: false)) { destination in
                        try await destination.putDocument(second)
                        try await destination.addEntry(second.descriptor, names: ["v1"])
                    }
                }
                #expect(error?.has("TAG_INVALID") == true)
            }
        }
    }
}
