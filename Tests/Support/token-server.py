#!/usr/bin/env python3
"""A distribution token server for Ferry's tests (formats.md section 9.2), Python 3 stdlib only.

    token-server.py --port PORT --key KEY.pem --cert CERT.pem --service SVC --issuer ISS
                    --user USER --password PASSWORD [--short-lifetime SECONDS] [--leeway SECONDS]

GET /token?service=&scope=&scope=[&account=] with optional Basic credentials answers
{"token", "access_token", "expires_in", "issued_at"}: a JWT signed RS256 (by calling
`openssl dgst -sha256 -sign KEY`) whose header carries the certificate as `x5c`, which
distribution 2.8 verifies against its `rootcertbundle`.

Who gets what:
- no credentials: a token granting nothing (so the registry refuses anonymous pulls);
- wrong credentials: 401;
- USER, or any user name starting with "USER-", with PASSWORD: every action asked for, except
  that a user name of the form USER-expired-* or USER-narrow-* gets a bad second token (counted
  per user name): already expired (beyond distribution's 60 s leeway), or granting no actions.
  Tests use these to check that Ferry fetches a fresh token when the registry refuses one.
- USER-short-*: every token lives --short-lifetime seconds (default 5) and says so in
  `expires_in`; USER-stale-*: every token lives that long but claims `expires_in` 300. The
  JWT's `exp` is set --leeway seconds (default 60, distribution's) earlier than the real end, so
  that the registry refuses the token exactly when its short life is over.

POST /token with the form grant_type=refresh_token&refresh_token=identity-PASSWORD (the OAuth2
refresh-token grant, distribution's oauth.md) answers {"access_token", "expires_in", "scope",
"issued_at"}: a token for the user USER-identity, every action asked for; any other refresh token
gets 401 (invalid_grant).

GET /count?user=NAME answers {"user": NAME, "count": N}, the tokens issued to that user so far.

Every request is logged on stdout as one line: "token <user|-> <scope> <scope>...".
"""
import argparse
import base64
import json
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_scope(scope: str):
    """type:name:actions, splitting at the first and last colon (names may hold a port)."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last == first:
        return None
    return scope[:first], scope[first + 1:last], [a for a in scope[last + 1:].split(",") if a]


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.counts = {}
        with open(args.cert, "rb") as handle:
            pem = handle.read().decode("ascii")
        body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
        self.x5c = [body]

    def next_count(self, user: str) -> int:
        with self.lock:
            self.counts[user] = self.counts.get(user, 0) + 1
            return self.counts[user]

    def sign(self, payload: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.args.key],
            input=signing_input.encode("ascii"), capture_output=True, check=True).stdout
        return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None  # set in main

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def answer(self, status: int, body: dict, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - the base class's name
        state = self.state
        args = state.args
        url = urlparse(self.path)
        if url.path == "/count":
            name = parse_qs(url.query).get("user", [""])[0]
            with state.lock:
                count = state.counts.get(name, 0)
            self.answer(200, {"user": name, "count": count})
            return
        if url.path != "/token":
            self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        query = parse_qs(url.query)
        scopes = []
        for value in query.get("scope", []):
            scopes.extend(value.split(" "))
        user = None
        authorization = self.headers.get("Authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
                name, _, password = decoded.partition(":")
            except Exception:
                name, password = "", ""
            known = name == args.user or name.startswith(args.user + "-")
            if not known or password != args.password:
                print(f"token {name or '-'} refused", flush=True)
                self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                            {"WWW-Authenticate": 'Basic realm="ferry-token"'})
                return
            user = name
        print("token " + (user or "-") + " " + " ".join(scopes), flush=True)
        token, expires_in, issued = self.issue(user, scopes, query.get("service", [args.service])[0])
        self.answer(200, {"token": token, "access_token": token, "expires_in": expires_in, "issued_at": issued})

    def do_POST(self):  # noqa: N802 - the base class's name
        """The OAuth2 refresh-token grant: an identity token exchanged for a bearer token."""
        args = self.state.args
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        if urlparse(self.path).path != "/token":
            self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        if form.get("grant_type", [""])[0] != "refresh_token" or form.get("refresh_token", [""])[0] != "identity-" + args.password:
            print("token identity refused", flush=True)
            self.answer(401, {"error": "invalid_grant", "errors": [{"code": "UNAUTHORIZED", "message": "bad identity token"}]})
            return
        scopes = []
        for value in form.get("scope", []):
            scopes.extend(value.split(" "))
        user = args.user + "-identity"
        print("token " + user + " " + " ".join(scopes) + " client_id=" + form.get("client_id", ["-"])[0], flush=True)
        token, expires_in, issued = self.issue(user, scopes, form.get("service", [args.service])[0])
        # An OAuth2 answer: access_token only, no "token".
        self.answer(200, {"access_token": token, "expires_in": expires_in, "scope": " ".join(scopes), "issued_at": issued})

    def issue(self, user, scopes, audience):
        """A signed token for user (None: anonymous) granting scopes; (token, expires_in, issued_at)."""
        state = self.state
        args = state.args
        now = int(time.time())
        expires = now + 300
        expires_in = 300
        access = []
        if user is not None:
            count = state.next_count(user)
            bad = count == 2
            narrow = bad and user.startswith(args.user + "-narrow-")
            if bad and user.startswith(args.user + "-expired-"):
                expires = now - 600
            if user.startswith(args.user + "-short-") or user.startswith(args.user + "-stale-"):
                expires = now + args.short_lifetime - args.leeway
                if user.startswith(args.user + "-short-"):
                    expires_in = args.short_lifetime
            for scope in scopes:
                parsed = parse_scope(scope)
                if parsed is None:
                    continue
                kind, name, actions = parsed
                access.append({"type": kind, "name": name, "actions": [] if narrow else actions})
        payload = {
            "iss": args.issuer,
            "sub": user or "",
            "aud": audience,
            "exp": expires,
            "nbf": now - 5,
            "iat": now - 5,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        token = state.sign(payload)
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return token, expires_in, issued


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--short-lifetime", type=int, default=5)
    parser.add_argument("--leeway", type=int, default=60)
    args = parser.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"token server on 127.0.0.1:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
