#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for Ferry's tests, Python 3 stdlib only.

    fault-proxy.py --upstream HOST:PORT --log FILE [faults...]

Listens on a free 127.0.0.1 port, prints "port N" as its first line on stdout, and forwards
requests (GET, HEAD, POST, PUT, PATCH, DELETE; request bodies by Content-Length or chunked, sent
on with a Content-Length) to the upstream registry, injecting these faults:

  --fail N --fail-status S [--retry-after SECONDS] [--fail-method METHOD]
        answer the first N requests (of that method only, when given) with status S (a
        distribution-style JSON error body, the request body read and dropped), with
        `Retry-After` when given
  --drop-patch-at FRACTION [--drop-patch-number K]
        on the K-th (default first) PATCH whose body is longer than one byte, read FRACTION of
        the body, then
        close the connection without an answer; nothing of that PATCH reaches the upstream (as
        when a buffering front end such as nginx loses the client)
  --drop-patch-forward
        with --drop-patch-at: send the part read on to the upstream as a complete, shorter PATCH
        (its Content-Range and Content-Length cut to match) before hanging up, so the registry
        stores part of the chunk, as when a connection breaks straight into it
  --drop-at FRACTION
        on the first GET of each blob without a Range header, send the full Content-Length but
        only FRACTION of the body, then close the connection (a FIN after those bytes, not a
        reset that would discard what the client's socket had not yet read)
  --ignore-range
        drop the Range header before forwarding (the upstream answers 200 with the whole blob)
  --bad-content-range
        answer a ranged blob GET's 206 with a Content-Range that starts at byte 0 instead of
        where the body really starts (logged as "rewritten")
  --corrupt DIGEST (repeatable)
        flip one byte in the middle of that blob's body (same length)

Every request is logged to FILE as one line:
"METHOD PATH range=<Range or Content-Range|-> status=S bytes=N[ dropped| injected| rewritten]"; bytes counts
the request body for POST, PUT and PATCH, the response body otherwise.
"""
import argparse
import signal
import http.client
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.failures_left = args.fail
        self.dropped = set()
        self.patches_seen = 0

    def take_failure(self, method: str) -> bool:
        with self.lock:
            if self.args.fail_method and method != self.args.fail_method:
                return False
            if self.failures_left > 0:
                self.failures_left -= 1
                return True
            return False

    def take_drop(self, path: str) -> bool:
        with self.lock:
            if path in self.dropped:
                return False
            self.dropped.add(path)
            return True

    def take_patch_drop(self) -> bool:
        with self.lock:
            self.patches_seen += 1
            return self.patches_seen == self.args.drop_patch_number

    def log(self, line: str):
        with self.lock:
            with open(self.args.log, "a") as handle:
                handle.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None  # set in main

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):  # noqa: N802 - the base class's name
        self.forward()

    def do_GET(self):  # noqa: N802 - the base class's name
        self.forward()

    def do_POST(self):  # noqa: N802 - the base class's name
        self.forward()

    def do_PUT(self):  # noqa: N802 - the base class's name
        self.forward()

    def do_PATCH(self):  # noqa: N802 - the base class's name
        self.forward()

    def do_DELETE(self):  # noqa: N802 - the base class's name
        self.forward()

    def read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer coding."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def drop_patch(self, note: str) -> bool:
        """--drop-patch-at: read part of the first PATCH body, then hang up without an answer."""
        args = self.state.args
        length = int(self.headers.get("Content-Length") or 0)
        if self.command != "PATCH" or args.drop_patch_at is None or length <= 1 or not self.state.take_patch_drop():
            return False
        cut = max(1, int(length * args.drop_patch_at))
        part = self.rfile.read(cut)
        if args.drop_patch_forward:
            start = int((self.headers.get("Content-Range") or "0-").split("-", 1)[0] or 0)
            headers = {name: value for name, value in self.headers.items()
                       if name.lower() not in HOP_BY_HOP and name.lower() not in ("content-length", "content-range")}
            headers["Content-Length"] = str(len(part))
            headers["Content-Range"] = f"{start}-{start + len(part) - 1}"
            host, _, port = args.upstream.rpartition(":")
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            connection.request("PATCH", self.path, body=part, headers=headers)
            stored = connection.getresponse()
            stored.read()
            connection.close()
            self.state.log(f"{note} status={stored.status} bytes={len(part)} forwarded")
        self.state.log(f"{note} status=0 bytes={cut} dropped")
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return True

    def forward(self):
        state = self.state
        args = state.args
        requested_range = self.headers.get("Range") or self.headers.get("Content-Range")
        note = f"{self.command} {self.path} range={requested_range or '-'}"
        if self.drop_patch(note):
            return
        request_body = self.read_body()
        if state.take_failure(self.command):
            body = b'{"errors":[{"code":"UNAVAILABLE","message":"injected failure"}]}'
            self.send_response(args.fail_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if args.retry_after is not None:
                self.send_header("Retry-After", str(args.retry_after))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            state.log(f"{note} status={args.fail_status} bytes=0 injected")
            return

        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        if args.ignore_range:
            headers = {name: value for name, value in headers.items() if name.lower() != "range"}
        host, _, port = args.upstream.rpartition(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        sends_body = self.command in ("POST", "PUT", "PATCH")
        if sends_body:
            headers = {name: value for name, value in headers.items() if name.lower() != "content-length"}
            headers["Content-Length"] = str(len(request_body))
        connection.request(self.command, self.path, body=request_body if sends_body else None, headers=headers)
        response = connection.getresponse()
        body = response.read() if self.command != "HEAD" else b""
        connection.close()

        is_blob = "/blobs/" in self.path and self.command == "GET" and response.status in (200, 206)
        digest = self.path.rsplit("/", 1)[-1].split("?", 1)[0]
        if is_blob and digest in args.corrupt and body:
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1:]
        drop = (is_blob and args.drop_at is not None and response.status == 200
                and not requested_range and len(body) > 1 and state.take_drop(self.path))

        rewritten = False
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                continue
            if name.lower() == "content-range" and args.bad_content_range and is_blob and response.status == 206:
                value = "bytes 0-" + value.split("-", 1)[1]
                rewritten = True
            self.send_header(name, value)
        length = int(response.getheader("Content-Length", len(body))) if self.command == "HEAD" else len(body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if drop:
            cut = int(len(body) * args.drop_at)
            self.wfile.write(body[:cut])
            self.wfile.flush()
            state.log(f"{note} status={response.status} bytes={cut} dropped")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        if self.command != "HEAD":
            self.wfile.write(body)
        counted = len(request_body) if sends_body else len(body)
        state.log(f"{note} status={response.status} bytes={counted}{' rewritten' if rewritten else ''}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--fail-status", type=int, default=500)
    parser.add_argument("--retry-after", type=int)
    parser.add_argument("--fail-method")
    parser.add_argument("--drop-patch-at", type=float)
    parser.add_argument("--drop-patch-number", type=int, default=1)
    parser.add_argument("--drop-patch-forward", action="store_true")
    parser.add_argument("--drop-at", type=float)
    parser.add_argument("--ignore-range", action="store_true")
    parser.add_argument("--bad-content-range", action="store_true")
    parser.add_argument("--corrupt", action="append", default=[])
    args = parser.parse_args()
    Handler.state = State(args)
    # The test process may start us with SIGTERM blocked or ignored; the test stops us with it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
