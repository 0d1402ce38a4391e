#!/usr/bin/env python3
"""A logging proxy in front of a registry, for registry_transfer_test.sh, on 127.0.0.1 (a free
port, printed on stdout).

Usage: registry_proxy.py UPSTREAM_HOST:PORT LOG [--drop-blobs]

Every request is forwarded to UPSTREAM as it came (the Host header kept, so the registry's
Location headers name the proxy) and logged as one line:
  METHOD PATH range=<Range header> content-range=<Content-Range header> -> STATUS auth=<Authorization>
(any HTTP server works as UPSTREAM, e.g. luet serve-repo)
With --drop-blobs, the first GET of each blob larger than 10000 bytes gets the registry's
headers (its whole length announced) and half of the body, then the connection is closed;
the line logged is "DROP PATH after N bytes".
"""
import http.client
import http.server
import socket
import socketserver
import sys

UPSTREAM, LOG = sys.argv[1], sys.argv[2]
DROP = "--drop-blobs" in sys.argv[3:]
dropped = set()


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
        conn = http.client.HTTPConnection(UPSTREAM, timeout=60)
        conn.request(self.command, self.path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read() if self.command != "HEAD" else b""
        log("%s %s range=%s content-range=%s -> %d auth=%s" % (self.command, self.path.split("?")[0],
            self.headers.get("Range", ""), self.headers.get("Content-Range", ""), r.status,
            self.headers.get("Authorization", "")))
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("connection", "transfer-encoding", "content-length"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", r.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data)))
        self.end_headers()
        blob = self.command == "GET" and "/blobs/sha256:" in self.path and r.status == 200
        if DROP and blob and len(data) > 10000 and self.path not in dropped:
            dropped.add(self.path)
            half = len(data) // 2
            self.wfile.write(data[:half])
            self.wfile.flush()
            log("DROP %s after %d bytes" % (self.path, half))
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
