"""A local fake HTTP provider for tests (SMS, WhatsApp, e-mail, e-KYC, credit bureau, payment gateway).

Standard library only, so both Frappe's test runner (in-process) and the black-box tests under tests/http use
it. It records every request and answers from routes the test sets::

	fake = FakeGateway()
	fake.route("POST", "/messages", lambda req: (200, {"id": "m-1"}))
	settings.sms_base_url = fake.url
	...
	fake.requests  # [Request(method, path, headers, json, body), ...]
	fake.stop()

An unrouted request gets 404 ``{"error": "no route"}``. Handlers get a ``Request`` and return
``(status, json_body)``; they run in the server's threads.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
	method: str
	path: str
	query: dict
	headers: dict
	body: bytes
	json: object = field(default=None)


Handler = Callable[[Request], tuple[int, object]]


class FakeGateway:
	def __init__(self, host: str = "127.0.0.1"):
		self.requests: list[Request] = []
		self.routes: dict[tuple[str, str], Handler] = {}
		self._lock = threading.Lock()
		fake = self

		class _Handler(BaseHTTPRequestHandler):
			def _serve(self):
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length) if length else b""
				try:
					payload = json.loads(body) if body else None
				except ValueError:
					payload = None
				parts = urlsplit(self.path)
				req = Request(
					self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body, payload
				)
				with fake._lock:
					fake.requests.append(req)
				handler = fake.routes.get((self.command, parts.path))
				status, answer = handler(req) if handler else (404, {"error": "no route"})
				data = json.dumps(answer).encode()
				self.send_response(status)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(data)))
				self.end_headers()
				self.wfile.write(data)

			do_GET = do_POST = do_PUT = do_DELETE = _serve

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer((host, 0), _Handler)
		self.url = f"http://{host}:{self.server.server_port}"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def route(self, method: str, path: str, handler: Handler) -> "FakeGateway":
		self.routes[(method.upper(), path)] = handler
		return self

	def received(self, method: str | None = None, path: str | None = None) -> list[Request]:
		with self._lock:
			return [
				r
				for r in self.requests
				if (method is None or r.method == method) and (path is None or r.path == path)
			]

	def stop(self):
		self.server.shutdown()
		self.server.server_close()
