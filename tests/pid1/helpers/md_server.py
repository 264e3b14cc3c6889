"""An OpenStack metadata service whose behaviour the test switches at run time.

    md_server.py PORT DIR

DIR/mode holds one word, re-read on every request, so a test can start a
fault and end it without restarting the server:
    ok       serve /openstack, meta_data.json and DIR/user_data
    500      answer every request with HTTP 500
    garbage  serve a meta_data.json that is not JSON
    hang     accept, read the request, never answer
Every request is appended to DIR/requests (one path per line) so the test can
prove vessel kept retrying.
"""
import http.server
import os
import sys
import time

PORT = int(sys.argv[1])
DIR = sys.argv[2]
META = b'{"uuid": "i-faults-1", "hostname": "faults-node"}'


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as fh:
            return fh.read().strip()
    except OSError:
        return "ok"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0].rstrip("/")
        with open(os.path.join(DIR, "requests"), "a") as fh:
            fh.write(path + "\n")
        m = mode()
        if m == "hang":
            time.sleep(3600)  # a daemon thread: dies with the server
            return None
        if m == "500":
            return self.reply(500, b"internal error")
        if path == "/openstack":
            return self.reply(200, b"latest")
        if path == "/openstack/latest/meta_data.json":
            return self.reply(200, b"{this is not json" if m == "garbage" else META)
        if path == "/openstack/latest/user_data":
            with open(os.path.join(DIR, "user_data"), "rb") as fh:
                return self.reply(200, fh.read())
        return self.reply(404, b"not found")

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("md_server: " + (fmt % args) + "\n")
        sys.stderr.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
