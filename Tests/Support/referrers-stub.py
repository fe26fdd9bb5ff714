#!/usr/bin/env python3
"""A stub registry that HAS the OCI referrers API, for Ferry's client tests. Python 3 stdlib only.

    referrers-stub.py --data FILE --log FILE [--no-filtering]

No registry the tests can run here implements the referrers API (Debian's docker-registry 2.8
does not), so this stub stands in for one. It listens on a free 127.0.0.1 port, prints
"port N" as its first line on stdout, and answers:

  GET /v2/                          200
  GET /v2/<name>/referrers/<digest>[?artifactType=T][&page=N]
                                    an OCI image index of the descriptors FILE lists for
                                    <digest> (FILE: {"sha256:…": [descriptor, …]}), one per page,
                                    with `Link: <…>; rel="next"` to the next page; with
                                    artifactType (unless --no-filtering) only that type, and
                                    `OCI-Filters-Applied: artifactType`
  PUT /v2/<name>/manifests/<ref>    201, Docker-Content-Digest, and `OCI-Subject` when the body
                                    has a subject (as a registry with the API answers)
  anything else                     404

Every request is logged to FILE as one line: "METHOD PATH".
"""
import argparse
import hashlib
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"


def make_handler(args, data, log_lock):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def record(self):
            with log_lock, open(args.log, "a") as log:
                log.write(f"{self.command} {self.path}\n")

        def answer(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def not_found(self):
            self.answer(404, b'{"errors":[{"code":"NOT_FOUND","message":"stub"}]}', [("Content-Type", "application/json")])

        def do_GET(self):
            self.record()
            url = urlsplit(self.path)
            if url.path == "/v2/":
                return self.answer(200, b"{}", [("Content-Type", "application/json")])
            parts = url.path.split("/referrers/")
            if len(parts) != 2 or not parts[0].startswith("/v2/"):
                return self.not_found()
            query = parse_qs(url.query)
            wanted = query.get("artifactType", [None])[0]
            page = int(query.get("page", ["0"])[0])
            found = data.get(parts[1], [])
            headers = [("Content-Type", INDEX_TYPE)]
            if wanted is not None and not args.no_filtering:
                found = [d for d in found if d.get("artifactType") == wanted]
                headers.append(("OCI-Filters-Applied", "artifactType"))
            listed = found[page:page + 1]
            if page + 1 < len(found):
                next_query = f"page={page + 1}" + (f"&artifactType={quote(wanted, safe='')}" if wanted else "")
                headers.append(("Link", f'<{url.path}?{next_query}>; rel="next"'))
            body = json.dumps({"schemaVersion": 2, "mediaType": INDEX_TYPE, "manifests": listed}).encode()
            self.answer(200, body, headers)

        def do_HEAD(self):
            self.record()
            self.not_found()

        def do_PUT(self):
            self.record()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if "/manifests/" not in self.path:
                return self.not_found()
            headers = [("Docker-Content-Digest", "sha256:" + hashlib.sha256(body).hexdigest())]
            try:
                subject = json.loads(body).get("subject")
            except ValueError:
                subject = None
            if subject:
                headers.append(("OCI-Subject", subject["digest"]))
            self.answer(201, b"", headers)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--no-filtering", action="store_true")
    args = parser.parse_args()
    with open(args.data) as f:
        data = json.load(f)
    # The test process may start us with SIGTERM blocked; make sure it ends us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args, data, threading.Lock()))
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
