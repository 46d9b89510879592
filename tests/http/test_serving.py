"""Production serving, seen from a client of the served port (bin/test serves the site as bin/start does).

nginx answers the port: it serves /assets and public files itself, proxies /socket.io to the socketio process
and the rest to gunicorn. No development server or debugger answers, and no error response carries a
traceback, whoever asks (Guest, a staff user with a token, Administrator) and whatever System Settings say:
a server error carries a reference that an Administrator finds in the Error Log.
"""

import base64
import json
import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from conftest import SITE, URL, new_session

FORCE_ERROR = "pinjaman_online.tests.server_error.raise_server_error"
TRACEBACK_SIGNS = ("Traceback", 'File "', "ZeroDivisionError: ", "raise_server_error", "/apps/")


def get(path: str, session=None, **kw):
	return (session or new_session()).get(URL + path, timeout=60, allow_redirects=False, **kw)


def assert_no_traceback(r):
	for sign in TRACEBACK_SIGNS:
		assert sign not in r.text, (
			f"{r.request.method} {r.request.url} → {r.status_code} shows {sign!r}: {r.text[:600]}"
		)
	assert "Werkzeug" not in r.text and "EVALEX" not in r.text, r.text[:600]


def test_the_port_is_nginx_in_front_of_frappe():
	r = get("/api/method/ping")
	assert r.status_code == 200 and r.json() == {"message": "pong"}, r.text
	assert r.headers["Server"] == "nginx", r.headers
	assert r.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_nginx_serves_the_site_whatever_site_name_a_client_sends():
	s = new_session()
	s.headers["X-Frappe-Site-Name"] = "another-site.localhost"
	r = get("/api/method/ping", s)
	assert r.status_code == 200 and r.json() == {"message": "pong"}, r.text


def test_assets_are_served_by_nginx():
	r = get("/assets/frappe/images/frappe-framework-logo.svg")
	assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml", r.headers
	assert r.headers["Server"] == "nginx"
	# Frappe sets its session cookies on every response it makes; a file nginx sends has none.
	assert "Set-Cookie" not in r.headers and "Expires" in r.headers, r.headers
	assert get("/assets/frappe/no-such-file.js").status_code == 404


def test_public_files_are_served_by_nginx_and_pages_among_them_downloaded(admin):
	tag = uuid.uuid4().hex[:8]
	urls = {}
	for name, mime in ((f"serving-{tag}.txt", "text/plain"), (f"serving-{tag}.html", "text/html")):
		r = admin.call(
			"POST",
			"/api/method/upload_file",
			data={"is_private": 0, "file_name": name},
			files={"file": (name, f"<b>{name}</b>".encode(), mime)},
		)
		urls[name] = r.json()["message"]["file_url"]
	text = get(urls[f"serving-{tag}.txt"])
	assert text.status_code == 200 and text.text == f"<b>serving-{tag}.txt</b>"
	assert "Set-Cookie" not in text.headers, text.headers
	page = get(urls[f"serving-{tag}.html"])
	assert page.status_code == 200 and page.headers.get("Content-Disposition") == "attachment", page.headers


def test_private_files_pass_frappe_permission_check(admin, guest):
	name = f"serving-{uuid.uuid4().hex[:8]}.txt"
	r = admin.call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": 1, "file_name": name},
		files={"file": (name, b"private content", "text/plain")},
	)
	url = r.json()["message"]["file_url"]
	assert url.startswith("/private/files/")
	refused = get(url)
	assert refused.status_code == 403, refused.text[:300]
	assert "private content" not in refused.text
	allowed = admin.call("GET", url)
	assert allowed.text == "private content"


def test_socketio_answers_behind_nginx():
	r = get("/socket.io/?EIO=4&transport=polling")
	assert r.status_code == 200, r.text[:300]
	assert r.headers["Server"] == "nginx"
	# Engine.IO's open packet: "0" then the handshake.
	assert r.text.startswith("0") and "sid" in json.loads(r.text[1:]), r.text[:300]


def test_socketio_websocket_upgrade_passes_nginx():
	host, port = urlsplit(URL).hostname, urlsplit(URL).port or 80
	with socket.create_connection((host, port), timeout=30) as conn:
		conn.sendall(
			(
				"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
				f"Host: {host}:{port}\r\n"
				"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
				f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n\r\n"
			).encode()
		)
		head = conn.recv(4096).decode(errors="replace")
	assert head.startswith("HTTP/1.1 101"), head
	assert "upgrade: websocket" in head.lower(), head


def socketio_connect(origin: str, host: str, sid_cookie: str) -> str:
	"""Open a polling Engine.IO session and join the site's namespace as a browser at ``origin`` would; return
	socketio's answer to the namespace connect (``40/site,{...}`` connected, ``44/site,{...}`` refused)."""
	s = new_session()
	s.headers.update({"Origin": origin, "Host": host, "Accept": "*/*", "Cookie": f"sid={sid_cookie}"})
	base = URL + "/socket.io/?EIO=4&transport=polling"
	sid = json.loads(s.get(base, timeout=30).text[1:])["sid"]
	assert s.post(f"{base}&sid={sid}", data=f"40/{SITE},", timeout=30).text == "ok"
	return s.get(f"{base}&sid={sid}", timeout=30).text


def test_socketio_accepts_a_same_origin_session_and_refuses_another_origin(admin):
	port = urlsplit(URL).port
	# A name the server's DNS need not know: socketio's check of the session goes through nginx on 127.0.0.1.
	host = f"{SITE}:{port}"
	answer = socketio_connect(f"http://{host}", host, admin.s.cookies["sid"])
	assert answer.startswith(f"40/{SITE},"), answer
	refused = socketio_connect("http://attacker.example", host, admin.s.cookies["sid"])
	assert refused.startswith(f"44/{SITE},") and "Invalid origin" in refused, refused


@pytest.mark.parametrize(
	"path",
	[
		"/?__debugger__=yes&cmd=resource&f=style.css",
		"/?__debugger__=yes&cmd=resource&f=debugger.js",
		"/console",
		"/api/method/ping?__debugger__=yes&cmd=printpin&s=x",
	],
)
def test_no_development_server_or_debugger(path):
	r = get(path, headers={"Accept": "text/html"})
	assert r.headers["Server"] == "nginx"
	# Werkzeug's debugger answers these with its own CSS/JS, its PIN prompt or its console page.
	content_type = r.headers.get("Content-Type", "")
	assert not content_type.startswith(("text/css", "text/javascript", "application/javascript")), (
		content_type
	)
	for sign in ("Werkzeug", "EVALEX", "CONSOLE_MODE", "debugger PIN", "Interactive Console"):
		assert sign not in r.text, (sign, r.text[:600])
	if "console" in path:
		assert r.status_code == 404, r.status_code


def force_error(session, api: str = "/api/method/", accept: str = "application/json", **params):
	r = session.post(URL + api + FORCE_ERROR, params=params, timeout=60, headers={"Accept": accept})
	assert r.status_code == 500, f"{r.status_code} {r.text[:600]}"
	assert_no_traceback(r)
	return r


def check_reference(admin, r, reference: str):
	assert re.fullmatch(r"[0-9a-f]{32}", reference), reference
	assert r.headers.get("X-Frappe-Request-Id") == reference, r.headers
	logs = admin.list(
		"Error Log", filters=json.dumps([["trace_id", "=", reference]]), fields=json.dumps(["name", "error"])
	)
	assert len(logs) == 1, logs
	# The traceback is kept for staff, in the Error Log.
	assert "ZeroDivisionError" in logs[0]["error"] and "Traceback" in logs[0]["error"]


@pytest.fixture(scope="module")
def clients(guest, admin, make_user):
	return {"Guest": guest, "staff": make_user("serving", "Koperasi Admin"), "Administrator": admin}


@pytest.mark.parametrize("who", ["Guest", "staff", "Administrator"])
def test_server_error_over_the_api_shows_a_reference_not_a_traceback(clients, admin, who):
	r = force_error(clients[who].s)
	body = r.json()
	assert not {"exc", "exception", "_exc_source", "_debug_messages"} & set(body), body
	reference = body["error_reference"]
	messages = [json.loads(m)["message"] for m in json.loads(body["_server_messages"])]
	assert any(reference in m for m in messages), messages
	check_reference(admin, r, reference)


def test_server_error_over_api_v2_shows_a_reference_not_a_traceback(clients, admin):
	r = force_error(clients["staff"].s, api="/api/v2/method/")
	body = r.json()
	assert all("exception" not in e for e in body["errors"]), body
	check_reference(admin, r, body["error_reference"])


def test_server_error_page_shows_a_reference_not_a_traceback(clients, admin):
	for who in ("Guest", "Administrator"):
		r = force_error(clients[who].s, accept="text/html")
		assert r.headers["Content-Type"].startswith("text/html")
		reference = re.search(r'data-error-reference="([0-9a-f]{32})"', r.text).group(1)
		check_reference(admin, r, reference)


def test_no_traceback_even_when_system_settings_allow_it(clients, admin):
	"""With System Settings' allow_error_traceback on, Frappe writes tracebacks into error responses unless its
	disable_traceback flag is set; ``as_older_frappe`` clears the flag, as a release that ignores it would."""
	admin.call("PUT", "/api/resource/System Settings/System Settings", json={"allow_error_traceback": 1})
	try:
		for who in ("Guest", "staff", "Administrator"):
			for as_older_frappe in (0, 1):
				body = force_error(clients[who].s, as_older_frappe=as_older_frappe).json()
				assert "error_reference" in body and not {"exc", "exception", "_exc_source"} & set(body), body
				force_error(clients[who].s, accept="text/html", as_older_frappe=as_older_frappe)
				v2 = force_error(
					clients[who].s, api="/api/v2/method/", as_older_frappe=as_older_frappe
				).json()
				assert all("exception" not in e for e in v2["errors"]), v2
	finally:
		admin.call("PUT", "/api/resource/System Settings/System Settings", json={"allow_error_traceback": 0})


RUNNABLE = ("html", "htm", "shtml", "xhtml", "svg", "svgz", "xml", "xsl", "js", "mht")
SHOWN = ("png", "pdf", "txt")


@pytest.mark.parametrize("private", [0, 1], ids=["public", "private"])
def test_only_images_pdfs_and_text_are_shown_every_other_file_is_a_sandboxed_download(admin, private):
	"""A file that a browser runs as a page (HTML in any spelling, SVG, XML…) would run its scripts in the
	site's origin for whoever opens its link; it is downloaded and sandboxed, public (nginx) or private
	(Frappe behind nginx)."""
	tag = uuid.uuid4().hex[:8]
	for ext in RUNNABLE + SHOWN:
		name = f"serve-{tag}.{ext}"
		body = f"<html><body><script>document.title='{tag}-{ext}'</script></body></html>".encode()
		url = admin.call(
			"POST",
			"/api/method/upload_file",
			data={"is_private": private, "file_name": name},
			files={"file": (name, body, "application/octet-stream")},
		).json()["message"]["file_url"]
		r = admin.call("GET", url)
		disposition = r.headers.get("Content-Disposition", "")
		if ext in SHOWN:
			assert not disposition.startswith("attachment"), (ext, r.headers)
			assert "sandbox" not in r.headers.get("Content-Security-Policy", ""), (ext, r.headers)
		else:
			assert disposition.startswith("attachment"), (url, r.headers)
			assert r.headers.get("Content-Security-Policy") == "sandbox", (url, r.headers)
			assert r.headers.get("X-Content-Type-Options") == "nosniff", (url, r.headers)
