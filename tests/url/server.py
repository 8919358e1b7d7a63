#!/usr/bin/env python3
"""A stand-in for COS on 127.0.0.1, for tests/url: one HTTP and one HTTPS listener (Python's
http.server and ssl, nothing else), serving what a JSON site file says for each object path:

  {"/key": {"file": PATH}}                         the object, with HEAD, Range (206) and 416
  {"/key": {"empty": true}}                        a 0-byte object (a ranged GET gets 416)
  {"/key": {"status": 403, "code": "AccessDenied"}} COS's XML error body (HEAD: no body)
  {"/key": {"redirect": "/key"}}                   302 to the given path (a loop when it is itself)
  {"/key": {"sleep": 5, "file": PATH}}             answer only after a delay
  {"/key": {"head_status": 405, "file": PATH}}     HEAD refused, GET works

Every request is logged as one JSON line (method, path with query, Range, User-Agent). The
listening ports are written to PORTFILE as "HTTP_PORT HTTPS_PORT". Stops on SIGTERM.

usage: server.py SITE.json LOG PORTFILE CERT KEY"""
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE_PATH, LOG, PORTFILE, CERT, KEY = sys.argv[1:6]
with open(SITE_PATH) as fh:
    SITE = json.load(fh)
log_lock = threading.Lock()

ERROR_BODY = """<?xml version='1.0' encoding='utf-8' ?>
<Error>
\t<Code>{code}</Code>
\t<Message>{message}</Message>
\t<Resource>{host}{path}</Resource>
\t<RequestId>NjU2MzQ1NjdfYjYyMzY0MGFfMjNlNV8xMjM0NTY=</RequestId>
\t<TraceId>OGVmYzZiMmQzYjA2OWNhODk0NTRkMTBiOWVmMDAxODc0OWRkZjk0ZDM1NmI1M2E2MTRlY2MzZDhmNmI5MWI1OTBjYWEyYjk1OGQ2ZGRmODg=</TraceId>
</Error>
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tencent-cos"
    sys_version = ""

    def log_message(self, fmt, *args):  # keep stderr quiet; the JSON log says everything
        pass

    def record(self):
        with log_lock, open(LOG, "a") as fh:
            fh.write(json.dumps({"method": self.command, "path": self.path, "range": self.headers.get("Range"),
                                 "user_agent": self.headers.get("User-Agent"),
                                 "host": self.headers.get("Host")}) + "\n")

    def send(self, status, headers, body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if not headers_has(headers, "Content-Length"):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("x-cos-request-id", "NjU2MzQ1NjdfYjYyMzY0MGFfMjNlNV8xMjM0NTY=")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def error_xml(self, status, code, message):
        body = ERROR_BODY.format(code=code, message=message, host=self.headers.get("Host", ""),
                                 path=self.path.split("?")[0]).encode()
        self.send(status, [("Content-Type", "application/xml")], body)

    def serve_object(self, data):
        size = len(data)
        rng = self.headers.get("Range")
        if self.command == "HEAD":
            self.send(200, [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"),
                            ("Content-Length", str(size))])
            return
        if not rng:
            self.send(200, [("Content-Type", "application/octet-stream")], data)
            return
        spec = rng.split("=", 1)[1]
        a, b = spec.split("-", 1)
        if a == "":
            start, end = max(0, size - int(b)), size - 1
        else:
            start = int(a)
            end = min(int(b), size - 1) if b else size - 1
        if size == 0 or start >= size or start > end:
            self.send(416, [("Content-Range", f"bytes */{size}"), ("Content-Type", "application/xml")],
                      ERROR_BODY.format(code="InvalidRange", message="The requested range is not satisfiable",
                                        host=self.headers.get("Host", ""), path=self.path).encode())
            return
        self.send(206, [("Content-Type", "application/octet-stream"),
                        ("Content-Range", f"bytes {start}-{end}/{size}")], data[start:end + 1])

    def handle_any(self):
        self.record()
        path = self.path.split("?", 1)[0]
        spec = SITE.get(path)
        if spec is None:
            self.error_xml(404, "NoSuchKey", "The specified key does not exist.")
            return
        if "sleep" in spec:
            time.sleep(spec["sleep"])
        if "redirect" in spec:
            self.send(302, [("Location", spec["redirect"])])
            return
        if self.command == "HEAD" and "head_status" in spec:
            self.send(spec["head_status"], [])
            return
        if "status" in spec:
            self.error_xml(spec["status"], spec.get("code", "AccessDenied"), spec.get("message", "Access Denied."))
            return
        if spec.get("empty"):
            self.serve_object(b"")
            return
        with open(spec["file"], "rb") as fh:
            self.serve_object(fh.read())

    do_GET = handle_any
    do_HEAD = handle_any


def headers_has(headers, name):
    return any(k.lower() == name.lower() for k, _ in headers)


def main():
    plain = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    for s in (plain, tls):
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(f"{plain.server_address[1]} {tls.server_address[1]}\n")
    os.rename(tmp, PORTFILE)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Bounded: a server left behind by a killed test run goes away by itself.
    stop.wait(timeout=900)
    plain.shutdown()
    tls.shutdown()


main()
