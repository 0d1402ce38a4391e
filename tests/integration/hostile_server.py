#!/usr/bin/env python3
"""A hostile HTTP server for limits_test.sh, on 127.0.0.1 (a free port, printed on stdout).

Every path starting with /loop/ redirects to itself (a redirect loop); /slow/ sends headers
announcing 1 MB, then 2 bytes a second; /endless/ sends an endless body without a length.
With a folder DIR as argument, /files/NAME serves DIR/NAME, except artifacts
(*.package.tar*), which get an endless body.
"""
import os
import http.server
import socketserver
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            if self.path.startswith("/loop/"):
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path.startswith("/slow/"):
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                while True:
                    self.wfile.write(b"xx")
                    self.wfile.flush()
                    time.sleep(1)
            elif self.path.startswith("/files/") and len(sys.argv) > 1 and ".package.tar" not in self.path:
                name = os.path.basename(self.path)
                try:
                    data = open(os.path.join(sys.argv[1], name), "rb").read()
                except OSError:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            elif self.path.startswith("/endless/") or self.path.startswith("/files/"):
                self.send_response(200)
                self.end_headers()
                chunk = b"revision: 1\n" * 8192
                while True:
                    self.wfile.write(chunk)
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


with Server(("127.0.0.1", 0), Handler) as srv:
    print(f"http://127.0.0.1:{srv.server_address[1]}", flush=True)
    srv.serve_forever()
