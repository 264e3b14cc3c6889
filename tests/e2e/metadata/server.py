"""Serves an OpenStack metadata tree the way Nova does.

GET /openstack                       -> newline-separated version list
GET /openstack/<v>/meta_data.json    -> file
GET /openstack/<v>/user_data         -> file, or 404 when absent
Every request is logged, so the test can prove the node used this source.
"""
import http.server
import os
import sys

ROOT = sys.argv[1]
PORT = int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/openstack":
            versions = sorted(os.listdir(os.path.join(ROOT, "openstack")))
            return self.reply(200, "\n".join(versions).encode())
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "openstack" and ".." not in parts:
            f = os.path.join(ROOT, *parts)
            if os.path.isfile(f):
                with open(f, "rb") as fh:
                    return self.reply(200, fh.read())
        return self.reply(404, b"not found")

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("metadata: " + (fmt % args) + "\n")
        sys.stderr.flush()


http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
