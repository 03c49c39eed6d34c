# http.server on 127.0.0.1 in a thread, fetched with urllib.
import http.server
import threading
import urllib.request

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
t = threading.Thread(target=srv.serve_forever, daemon=True)
t.start()
port = srv.server_address[1]
with urllib.request.urlopen("http://127.0.0.1:%d/umk" % port, timeout=10) as r:
    print(r.status, r.read().decode())
with urllib.request.urlopen("http://localhost:%d/again" % port, timeout=10) as r:
    print(r.status, r.read().decode())
srv.shutdown()
srv.server_close()
print("done")
