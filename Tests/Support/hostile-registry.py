#!/usr/bin/env python3
"""A deliberately hostile registry, and the "sink" standing for another origin, for Ferry's
credential and bound tests. Python 3 stdlib only.

    hostile-registry.py --sink --log FILE
    hostile-registry.py --scenario NAME --log FILE --sink-port N [--user U --password P]

Both listen on a free 127.0.0.1 port and print "port N" as their first line on stdout. Every
request is logged to FILE as one JSON line: {"server", "method", "path", "authorization"} —
the Authorization header exactly as received, or null.

The registry (--scenario) answers every /v2/ request with 401 and a Basic challenge unless the
request carries the Basic credentials U:P (scenarios marked "bearer" use a token endpoint of its
own instead), then misbehaves as the scenario says:

  tags-link-foreign       tags/list: one tag, Link rel=next to the sink
  catalog-link-foreign    _catalog: one repository, Link rel=next to the sink
  referrers-link-foreign  referrers/<digest>: an index of one referrer, Link rel=next to the sink
  upload-location-foreign POST blobs/uploads/: 202 with Location on the sink (which fails the
                          PUT with 500, so the client also cancels the upload there)
  upload-location-file    POST blobs/uploads/: 202 with Location file:///etc/passwd
  blob-redirect-foreign   GET blobs/<d>: 307 to the sink, which answers 401 with a Bearer
                          challenge naming a realm on the sink; tags/list answers {"tags":["ok"]}
  http-realm              bearer: /v2/ names the realm http://realm.invalid/token (plain HTTP, not
                          loopback; the test reaches it through the sink as a proxy)
  crlf-token              bearer: the token endpoint (on the registry) issues a token holding CR LF
  endless-tags            tags/list: 20 000 tags per page and a Link to a new page, forever
  slow-blob               GET blobs/<d>: 200, Content-Length 65536, then one byte a second
  silent-blob             GET blobs/<d>: 200, Content-Length 65536, then nothing
                          (both for at most 600 s; how each body ended is logged as method
                          "BODY", path "/client-closed/<seconds>" or "/stub-gave-up/<seconds>")
  index-amplification     manifests/amp: an OCI index naming one image manifest 20 000 times;
                          that manifest, its config and its layer are served by digest
  control-chars           tags/list: tags with ESC, CR and LF; manifests/*: 404 whose error
                          message holds an escape sequence
  deep-json               manifests/*: an OCI manifest media type over 600 nested arrays

The sink answers: tags/list {"tags":["from-sink"]}, _catalog {"repositories":["from-sink"]},
referrers an empty index, /blob/* 401 with a Bearer challenge (realm on itself), /token a
token, PUT/PATCH /upload/* 500, DELETE 204, anything else 404. It also acts as a forward proxy:
`CONNECT host:port` is answered 200 and the tunnelled requests are served (and logged) as if
they were its own; absolute-form requests (`GET http://host/path`) likewise.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import select
import signal
import socket
import sys
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tiny_image():
    """A one-layer image: (manifest bytes, {digest: bytes} of its blobs)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("hello.txt")
        body = b"hello from a hostile registry\n"
        info.size = len(body)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(body))
    layer_tar = raw.getvalue()
    layer = gzip.compress(layer_tar, mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [digest(layer_tar)]},
    }, sort_keys=True).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest(layer), "size": len(layer)}],
    }, sort_keys=True).encode()
    return manifest, {digest(config): config, digest(layer): layer}


def make_handler(args, log_lock):
    state = {"page": 0}
    manifest, blobs = tiny_image()
    amplified = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest(manifest), "size": len(manifest)}] * 20000,
    }).encode()
    expected_basic = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    sink = f"http://127.0.0.1:{args.sink_port}"
    bearer = args.scenario in ("http-realm", "crlf-token")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def record(self, path=None, method=None):
            entry = {
                "server": "sink" if args.sink else "registry",
                "method": method or self.command,
                "path": path or self.path,
                "authorization": self.headers.get("Authorization"),
            }
            with log_lock, open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def json_answer(self, value, headers=(), content_type="application/json"):
            self.answer(200, json.dumps(value).encode(), [("Content-Type", content_type), *headers])

        def drain(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    self.rfile.read(size + 2)
                    if size == 0:
                        break

        # --- dispatch ----------------------------------------------------------------------
        def handle_any(self):
            if self.command == "CONNECT":
                # A forward proxy's tunnel: accept, then serve what comes through it.
                self.record()
                self.send_response(200, "Connection established")
                self.end_headers()
                self.close_connection = False
                return
            path = self.path
            if path.startswith("http://") or path.startswith("https://"):
                parts = urlsplit(path)
                path = parts.path + ("?" + parts.query if parts.query else "")
            self.record(self.path)
            self.drain()
            if args.sink:
                self.serve_sink(path)
            else:
                self.serve_registry(path)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_CONNECT = handle_any

        # --- the other origin ---------------------------------------------------------------
        def serve_sink(self, path):
            url = urlsplit(path)
            if url.path.endswith("/tags/list"):
                return self.json_answer({"name": "hostile", "tags": ["from-sink"]})
            if url.path == "/v2/_catalog":
                return self.json_answer({"repositories": ["from-sink"]})
            if "/referrers/" in url.path:
                return self.json_answer({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}, content_type=OCI_INDEX)
            if url.path.startswith("/blob/"):
                port = self.server.server_address[1]
                challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="cdn",scope="blob:read"'
                return self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"cdn wants a token"}]}',
                                   [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
            if url.path.endswith("/token"):
                return self.json_answer({"token": "sink-token", "expires_in": 300})
            if url.path.startswith("/upload/"):
                if self.command == "DELETE":
                    return self.answer(204)
                return self.answer(500, b'{"errors":[{"code":"UNKNOWN","message":"sink refuses"}]}', [("Content-Type", "application/json")])
            return self.answer(404, b'{"errors":[{"code":"NOT_FOUND","message":"sink"}]}', [("Content-Type", "application/json")])

        # --- the hostile registry -------------------------------------------------------------
        def authorized(self):
            given = self.headers.get("Authorization") or ""
            if bearer:
                return given.startswith("Bearer ")
            return given == expected_basic

        def challenge(self):
            port = self.server.server_address[1]
            if args.scenario == "http-realm":
                value = 'Bearer realm="http://realm.invalid/token",service="hostile"'
            elif bearer:
                value = f'Bearer realm="http://127.0.0.1:{port}/token",service="hostile"'
            else:
                value = 'Basic realm="hostile"'
            self.answer(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                        [("WWW-Authenticate", value), ("Content-Type", "application/json")])

        def serve_registry(self, path):
            url = urlsplit(path)
            scenario = args.scenario
            if url.path == "/token":
                if self.headers.get("Authorization") != expected_basic:
                    return self.answer(401, b'{"details":"bad credentials"}')
                token = "abc\r\nX-Injected: yes" if scenario == "crlf-token" else "good-token"
                return self.json_answer({"token": token, "expires_in": 300})
            if not url.path.startswith("/v2/"):
                return self.answer(404)
            if not self.authorized():
                return self.challenge()
            if url.path == "/v2/":
                return self.answer(200, b"{}", [("Content-Type", "application/json")])

            if url.path.endswith("/tags/list"):
                if scenario == "tags-link-foreign":
                    return self.json_answer({"name": "hostile", "tags": ["a"]},
                                            [("Link", f'<{sink}/v2/hostile/tags/list?last=a>; rel="next"')])
                if scenario == "endless-tags":
                    state["page"] += 1
                    page = state["page"]
                    tags = [f"p{page}-{i}" for i in range(20000)]
                    return self.json_answer({"name": "hostile", "tags": tags},
                                            [("Link", f'</v2/hostile/tags/list?page={page + 1}>; rel="next"')])
                if scenario == "control-chars":
                    return self.json_answer({"name": "hostile", "tags": ["plain", "\x1b[31mred\x1b[0m", "a\rb", "x\ny", "\x9b2J"]})
                return self.json_answer({"name": "hostile", "tags": ["ok"]})
            if url.path == "/v2/_catalog" and scenario == "catalog-link-foreign":
                return self.json_answer({"repositories": ["hostile"]},
                                        [("Link", f'<{sink}/v2/_catalog?last=hostile>; rel="next"')])
            if "/referrers/" in url.path and scenario == "referrers-link-foreign":
                index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
                    {"mediaType": OCI_MANIFEST, "digest": "sha256:" + "1" * 64, "size": 10, "artifactType": "application/x-first"}]}
                return self.json_answer(index, [("Link", f'<{sink}/v2/hostile/referrers/x?page=2>; rel="next"')], content_type=OCI_INDEX)

            if url.path.endswith("/blobs/uploads/") and self.command == "POST":
                if scenario == "upload-location-foreign":
                    return self.answer(202, headers=[("Location", f"{sink}/upload/1"), ("Docker-Upload-UUID", "1")])
                if scenario == "upload-location-file":
                    return self.answer(202, headers=[("Location", "file:///etc/passwd")])
                return self.answer(202, headers=[("Location", "/v2/hostile/blobs/uploads/1")])

            if "/blobs/" in url.path and not url.path.endswith("/uploads/"):
                blob = url.path.rsplit("/", 1)[1]
                if self.command == "HEAD" and scenario != "index-amplification":
                    return self.answer(404)
                if scenario == "blob-redirect-foreign":
                    return self.answer(307, headers=[("Location", f"{sink}/blob/{blob}")])
                if scenario in ("slow-blob", "silent-blob"):
                    self.send_response(200)
                    self.send_header("Content-Length", "65536")
                    self.send_header("Content-Type", "application/octet-stream")
                    self.end_headers()
                    started = time.monotonic()
                    closed = False
                    try:
                        for _ in range(600):
                            if scenario == "slow-blob":
                                self.wfile.write(b"x")
                                self.wfile.flush()
                            # A second's wait that notices the client hanging up.
                            readable, _, _ = select.select([self.connection], [], [], 1)
                            if readable:
                                if not self.connection.recv(1, socket.MSG_PEEK):
                                    closed = True
                                    break
                                time.sleep(1)
                    except OSError:
                        closed = True
                    seconds = int(time.monotonic() - started)
                    self.record(f"/{'client-closed' if closed else 'stub-gave-up'}/{seconds}", method="BODY")
                    self.close_connection = True
                    return
                if blob in blobs:
                    return self.answer(200, blobs[blob], [("Content-Type", "application/octet-stream"),
                                                          ("Docker-Content-Digest", blob)])
                return self.answer(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"unknown"}]}', [("Content-Type", "application/json")])

            if "/manifests/" in url.path:
                ref = url.path.rsplit("/", 1)[1]
                if scenario == "control-chars":
                    message = "manifest \x1b]0;pwned\x07\x1b[2J gone\r\nInjected: line"
                    return self.answer(404, json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": message}]}).encode(),
                                       [("Content-Type", "application/json")])
                if scenario == "deep-json":
                    body = b"[" * 600 + b"]" * 600
                    return self.answer(200, body, [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", digest(body))])
                if scenario == "index-amplification":
                    if ref == "amp" or ref == digest(amplified):
                        return self.answer(200, amplified, [("Content-Type", OCI_INDEX), ("Docker-Content-Digest", digest(amplified))])
                    if ref == digest(manifest):
                        return self.answer(200, manifest, [("Content-Type", OCI_MANIFEST), ("Docker-Content-Digest", digest(manifest))])
                return self.answer(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}', [("Content-Type", "application/json")])
            return self.answer(404)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sink", action="store_true")
    parser.add_argument("--scenario")
    parser.add_argument("--log", required=True)
    parser.add_argument("--sink-port", type=int, default=0)
    parser.add_argument("--user", default="ferry")
    parser.add_argument("--password", default="secret")
    args = parser.parse_args()
    if not args.sink and not args.scenario:
        parser.error("--scenario or --sink")
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args, threading.Lock()))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
