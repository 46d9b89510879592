"""Bad input always gets a 4xx with a message, never a 500 (data-driven corpus over HTTP).

The whitelisted endpoints are read from ``api/*.py`` (their source, parsed: no Frappe import here): every
``@frappe.whitelist()`` function with its HTTP methods, whether guests may call it, its parameters, their
annotations and which are required (no default, or named in a ``require(...)`` call). From that:

* missing arguments: each endpoint with a required parameter, called with none (the message names them);
* wrong kinds: each typed parameter given a value of the wrong kind or out of range (money as a JSON float
  ``1000.5`` / ``1e30``, negative or as words; ``12.5`` months; an object for text; a date not YYYY-MM-DD …),
  the others given plausible values, so only that one can be refused;
* malformed JSON: every endpoint that takes a JSON body, as a guest and as its user (400);
* and the cases the API surface meets beyond the app's own endpoints: amounts of ``1e30`` through
  ``/api/resource``, a tenor of 12.5 months, a product of the other channel, KYC photos of 1×1 and 156
  megapixels, a huge ``start``, empty creates of every doctype, ``GET /api/resource/0/0`` as Guest.

Staff endpoints run as Administrator (no permission stops them early, so the checks themselves are reached),
mobile ones with a borrower's bearer token, guest ones anonymously. Every response must be a 4xx with a message;
the figures are printed (``bin/test -s``).
"""

import ast
import io
import json
import os
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest
from conftest import URL, Api, nik_for, unique_serial
from PIL import Image
from test_mobile import bearer, registered

APP = Path(__file__).resolve().parents[2] / "apps" / "pinjaman_online" / "pinjaman_online"
RESULTS: list[tuple[str, str, int, bool]] = []  # (group, case, status, has a message)
# BAD_INPUT_SURVEY=1: record every case without stopping at the first wrong answer (to measure a site)
SURVEY = os.environ.get("BAD_INPUT_SURVEY") == "1"


def expect(condition, message: str = "") -> None:
	"""``assert``, except in survey mode, where the figures at the end tell what went wrong."""
	if not SURVEY:
		assert condition, message


# Plausible values by annotation, so that only the parameter under test can be refused.
PLAUSIBLE = {
	"Money": "1000",
	"Months": 12,
	"Score": 30,
	"Start": 0,
	"Limit": 10,
	"Percent": 10,
	"Date": "2026-01-31",
	"int": 1,
	"float": 1,
	"bool": False,
	"str": "BAD-INPUT-TEST",
}
# Values of the wrong kind or out of range, per annotation (JSON bodies; GET takes the text ones).
BAD = {
	"Money": [1e30, 1000.5, 1000.0, -5, "1.000,50", "seribu", True, {"amount": 1}],
	"Months": [12.5, 0, 601, "12 bulan", -1],
	"Score": [101, -1, 30.5],
	"Start": [10**20, -1, "x"],
	"Limit": [10**9, -1, "x"],
	"Percent": [101, -1, "NaN", "x"],
	"Date": ["31-01-2026", "2026-02-30", "kemarin", 20260131],
	"int": [1.5, "x", 10**20, -1],
	"float": ["x", "Infinity", [1]],
	"bool": ["maybe", 7],
	"str": [{"a": 1}, [1, 2]],
}


# ---------------------------------------------------------------- endpoints read from the source


def _annotation(node) -> str:
	"""``Money | None`` → ``Money``; ``str`` → ``str``; unknown shapes → ``str``."""
	if node is None:
		return "str"
	if isinstance(node, ast.BinOp):  # X | None
		for side in (node.left, node.right):
			name = _annotation(side)
			if name != "None":
				return name
	if isinstance(node, ast.Constant) and node.value is None:
		return "None"
	if isinstance(node, ast.Name):
		return node.id
	return "str"


def endpoints() -> list[dict]:
	"""Every whitelisted function of api/*.py: dotted path, methods, guest, params [(name, kind, required)]."""
	found = []
	for path in sorted((APP / "api").glob("*.py")):
		module = "pinjaman_online.api" + ("" if path.stem == "__init__" else f".{path.stem}")
		for node in ast.parse(path.read_text()).body:
			if not isinstance(node, ast.FunctionDef):
				continue
			deco = next(
				(
					d
					for d in node.decorator_list
					if isinstance(d, ast.Call) and getattr(d.func, "attr", None) == "whitelist"
				),
				None,
			)
			if deco is None:
				continue
			kw = {k.arg: k.value for k in deco.keywords}
			methods = [e.value for e in kw["methods"].elts] if "methods" in kw else ["GET", "POST"]
			guest = isinstance(kw.get("allow_guest"), ast.Constant) and kw["allow_guest"].value is True
			args = node.args.args
			n_required = len(args) - len(node.args.defaults)
			required_by_call = {
				k.arg
				for call in ast.walk(node)
				if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "require"
				for k in call.keywords
			}
			params = [
				(a.arg, _annotation(a.annotation), i < n_required or a.arg in required_by_call)
				for i, a in enumerate(args)
			]
			found.append(
				{"dotted": f"{module}.{node.name}", "methods": methods, "guest": guest, "params": params}
			)
	return found


ENDPOINTS = endpoints()


def record(group: str, case: str, r) -> None:
	RESULTS.append((group, case, r.status_code, has_message(r)))


def code_of(r) -> str | None:
	"""The error ``code`` of a JSON response, or None."""
	try:
		body = r.json()
	except ValueError:
		return None
	return body.get("code") if isinstance(body, dict) else None


def has_message(r) -> bool:
	"""A person-readable message: Frappe's ``_server_messages`` (or ``message``/``errors``), or a text body."""
	try:
		body = r.json()
	except ValueError:
		return bool(r.text.strip())
	if not isinstance(body, dict):
		return False
	raw = body.get("_server_messages")
	if raw:
		try:
			messages = [json.loads(m) for m in json.loads(raw)]
			return any(str(m.get("message", "")).strip() for m in messages)
		except (TypeError, ValueError):
			return False
	return bool(body.get("message") or body.get("errors") or body.get("exception"))


def call(api: Api, ep: dict, data, raw: str | None = None):
	verb = "POST" if "POST" in ep["methods"] else ep["methods"][0]
	path = f"/api/method/{ep['dotted']}"
	if raw is not None:
		return api.call(verb, path, None, data=raw, headers={"Content-Type": "application/json"})
	if verb == "GET":
		return api.call(verb, path, None, params=data)
	return api.call(verb, path, None, json=data)


@pytest.fixture(scope="module")
def users(admin, guest, sms):
	borrower = registered(guest, sms)
	return {"staff": admin, "mobile": bearer(borrower["tokens"]["access_token"]), "guest": guest}


def who(ep: dict, users: dict) -> Api:
	if ep["guest"]:
		return users["guest"]
	return users["mobile"] if ".api.mobile" in ep["dotted"] else users["staff"]


# Calls with side effects beyond the request itself, never made here with plausible values:
# - payment_webhook reads the raw body (no named arguments);
# - logout/force_logout would end the sessions the corpus is using.
SKIP_GARBAGE = {"pinjaman_online.api.mobile_payments.payment_webhook"}


# ---------------------------------------------------------------- the corpus


def test_missing_arguments_are_named(users):
	for ep in ENDPOINTS:
		required = [name for name, _kind, req in ep["params"] if req]
		if not required:
			continue
		r = call(who(ep, users), ep, {})
		record("missing arguments", ep["dotted"], r)
		expect(
			400 <= r.status_code < 500, f"{ep['dotted']} without arguments: {r.status_code} {r.text[:300]}"
		)
		if r.status_code == 417:
			expect(all(name in r.text for name in required), f"{ep['dotted']}: {r.text[:300]}")


def test_names_that_do_not_exist(users):
	"""Every endpoint with required arguments, given plausible values that name nothing on the site."""
	for ep in ENDPOINTS:
		required = {name: PLAUSIBLE.get(kind, "BAD-INPUT-TEST") for name, kind, req in ep["params"] if req}
		if not required or ep["dotted"] in SKIP_GARBAGE:
			continue
		r = call(who(ep, users), ep, required)
		record("names that do not exist", ep["dotted"], r)
		expect(400 <= r.status_code < 500, f"{ep['dotted']} {required}: {r.status_code} {r.text[:300]}")


def test_values_of_the_wrong_kind_or_out_of_range(users):
	for ep in ENDPOINTS:
		if ep["dotted"] in SKIP_GARBAGE or not ep["params"]:
			continue
		verb = "POST" if "POST" in ep["methods"] else ep["methods"][0]
		base = {name: PLAUSIBLE.get(kind, "BAD-INPUT-TEST") for name, kind, req in ep["params"] if req}
		for name, kind, _req in ep["params"]:
			for bad in BAD.get(kind, []):
				if verb == "GET" and not isinstance(bad, str | int | float):
					continue
				r = call(who(ep, users), ep, {**base, name: bad})
				case = f"{ep['dotted']} {name}={bad!r}"
				record("wrong kind / out of range", case, r)
				expect(400 <= r.status_code < 500, f"{case}: {r.status_code} {r.text[:300]}")


def test_malformed_json_is_a_400_on_every_json_endpoint(users):
	for ep in ENDPOINTS:
		if not {"POST", "PUT"} & set(ep["methods"]):
			continue
		for api in {id(a): a for a in (users["guest"], who(ep, users))}.values():
			r = call(api, ep, None, raw='{"amount": 1000,')
			record("malformed JSON", f"{ep['dotted']} as {api.user}", r)
			expect(r.status_code == 400, f"{ep['dotted']} as {api.user}: {r.status_code} {r.text[:300]}")
			expect(code_of(r) == "MALFORMED_JSON")
	for path in ("/api/resource/Member", "/api/method/login", "/api/method/frappe.client.get_list"):
		r = users["guest"].call(
			"POST", path, None, data="[1, 2", headers={"Content-Type": "application/json"}
		)
		record("malformed JSON", f"{path} as Guest", r)
		expect(r.status_code == 400, f"{path}: {r.status_code} {r.text[:300]}")


# ---------------------------------------------------------------- beyond the app's endpoints


@pytest.fixture(scope="module")
def pension_product(admin):
	return admin.insert(
		"Loan Product",
		{
			"product_name": f"Bad Input Pension {unique_serial()}",
			"product_type": "Pension Loan",
			"min_principal": 1_000_000,
			"max_principal": 100_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 12,
			"interest_method": "Flat",
			"rounding_unit": 100,
		},
	)["name"]


@pytest.fixture(scope="module")
def member(staff):
	import datetime as dt

	birth = dt.date(1960, 5, 17)
	return staff["sales"].insert(
		"Member",
		{
			"full_name": "Bad Input",
			"nik": nik_for(birth, unique_serial()),
			"gender": "Male",
			"birth_date": str(birth),
			"pension_fund": "Taspen",
			"pension_number": f"TSP{unique_serial()}{unique_serial()}",
			"monthly_pension_benefit": 5_000_000,
		},
	)["name"]


def mobile_product(admin) -> str:
	return admin.get("Borrower Settings", "Borrower Settings")["mobile_loan_product"]


def test_tenor_amounts_and_channel_on_the_staff_path(staff, admin, member, pension_product):
	sales = staff["sales"]
	good = {"member": member, "loan_product": pension_product, "principal": 10_000_000, "tenor_months": 12}
	cases = {
		"tenor 12.5": {**good, "tenor_months": 12.5},
		"tenor 12.5 as text": {**good, "tenor_months": "12.5"},
		"tenor 0": {**good, "tenor_months": 0},
		"principal 1e30": {**good, "principal": 1e30},
		"principal 1000.5": {**good, "principal": 10_000_000.5},
		"principal negative": {**good, "principal": -10_000_000},
		"principal as words": {**good, "principal": "sepuluh juta"},
		"online product on the staff path": {**good, "loan_product": mobile_product(admin)},
	}
	for case, doc in cases.items():
		r = sales.call("POST", "/api/resource/Loan Application", None, json=doc)
		record("staff path", case, r)
		expect(r.status_code == 417, f"{case}: {r.status_code} {r.text[:300]}")
	r = sales.call(
		"POST", "/api/resource/Loan Application", None, json=cases["online product on the staff path"]
	)
	expect(code_of(r) == "WRONG_CHANNEL", r.text[:300])
	for case, doc in {"payment 1e30": {"amount": 1e30}, "payment 1000.5": {"amount": 1000.5}}.items():
		r = admin.call("POST", "/api/resource/Loan Payment", None, json={"loan": "LOAN-NONE", **doc})
		record("staff path", case, r)
		expect(400 <= r.status_code < 500, f"{case}: {r.status_code} {r.text[:300]}")


def test_pension_product_on_the_mobile_path_is_refused(admin, users, pension_product):
	before = mobile_product(admin)
	settings = "/api/resource/Borrower Settings/Borrower Settings"
	admin.call("PUT", settings, json={"mobile_loan_product": pension_product})
	try:
		r = users["mobile"].call(
			"POST",
			"/api/method/pinjaman_online.api.mobile_loans.apply",
			None,
			json={"amount": 2_000_000, "tenor_months": 12, "consent": True, "purpose": "usaha"},
		)
	finally:
		admin.call("PUT", settings, json={"mobile_loan_product": before})
	record("mobile path", "pension product as the mobile product", r)
	expect(400 <= r.status_code < 500, f"{r.status_code} {r.text[:300]}")


def png_header_only(width: int, height: int) -> bytes:
	"""A PNG whose header claims ``width``×``height`` pixels, with a few bytes of (truncated) pixel data:
	what a decompression bomb looks like to a reader that trusts the header."""

	def chunk(kind: bytes, data: bytes) -> bytes:
		return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

	ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
	idat = zlib.compress(b"\x00" * (width + 1) * 4)  # four rows of zeros
	return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png(size) -> bytes:
	buf = io.BytesIO()
	Image.new("RGB", size, (200, 120, 40)).save(buf, "PNG")
	return buf.getvalue()


def test_kyc_photos_outside_the_pixel_range(users):
	ok = png((640, 400))
	cases = {
		"1x1 KTP": (png((1, 1)), ok),
		"1x1 selfie": (ok, png((1, 1))),
		"156 MP KTP": (png_header_only(12_500, 12_500), ok),
		"156 MP selfie (90 MB bomb limit of Pillow not reached)": (ok, png_header_only(12_500, 12_500)),
		"10 000 x 1 strip": (png((10_000, 1)), ok),
	}
	for case, (ktp, selfie) in cases.items():
		r = users["mobile"].call(
			"POST",
			"/api/method/pinjaman_online.api.mobile_kyc.upload",
			None,
			files={"ktp": ("ktp.png", ktp, "image/png"), "selfie": ("selfie.png", selfie, "image/png")},
		)
		record("KYC photos", case, r)
		expect(r.status_code == 417, f"{case}: {r.status_code} {r.text[:300]}")
		expect(code_of(r) == "IMAGE_PIXELS", f"{case}: {r.text[:300]}")


def test_pagination_is_bounded(users):
	for params in ({"start": 10**20}, {"start": 2**63}, {"limit": 10**12}, {"start": -1}):
		r = users["mobile"].call(
			"GET", "/api/method/pinjaman_online.api.mobile_notifications.notifications", None, params=params
		)
		record("pagination", f"notifications {params}", r)
		expect(r.status_code == 417, f"{params}: {r.status_code} {r.text[:300]}")


def app_doctypes() -> list[str]:
	"""The app's doctypes a client could create over REST: not child tables, singles or virtual ones."""
	names = []
	for path in sorted(APP.glob("*/doctype/*/*.json")):
		if path.parent.name != path.stem:
			continue
		meta = json.loads(path.read_text())
		if meta.get("doctype") != "DocType" or meta.get("istable") or meta.get("issingle"):
			continue
		if meta.get("is_virtual"):
			continue
		names.append(meta["name"])
	return names


def test_empty_creates_of_every_doctype(admin):
	accepted = []
	for doctype in app_doctypes():
		r = admin.call("POST", f"/api/resource/{doctype}", None, json={})
		record("empty create", doctype, r)
		expect(r.status_code < 500, f"empty {doctype}: {r.status_code} {r.text[:300]}")
		if r.status_code == 200:
			accepted.append(doctype)
			admin.call("DELETE", f"/api/resource/{doctype}/{r.json()['data']['name']}", None)
	expect(not accepted, f"an empty document was accepted: {accepted}")


def test_unknown_doctypes_and_names(admin, guest):
	for api in (guest, admin):
		for path in (
			"/api/resource/0/0",
			"/api/resource/0",
			"/api/resource/No Such Type/x",
			"/api/v2/document/0/0",
		):
			r = api.call("GET", path, None)
			record("generic surface", f"GET {path} as {api.user}", r)
			expect(400 <= r.status_code < 500, f"{path} as {api.user}: {r.status_code} {r.text[:300]}")


def test_reportview_arguments_it_does_not_take(admin):
	"""Reportview hands every request argument to Frappe's query builder, which answers one it does not take
	(``parent`` for a child table) with a TypeError: a 4xx naming the argument here."""
	for method in ("get", "get_list", "get_count"):
		path = f"/api/method/frappe.desk.reportview.{method}"
		r = admin.call(
			"GET",
			path,
			None,
			params={"doctype": "Member Bank Account", "parent_doctype": "Member", "parent": "Member"},
		)
		record("generic surface", f"GET {path} with parent as {admin.user}", r)
		expect(400 <= r.status_code < 500, f"{path}: {r.status_code} {r.text[:300]}")
		expect("parent" in r.text, f"{path}: the message does not name the argument: {r.text[:300]}")
	# the arguments the desk sends still work
	admin.call(
		"GET",
		"/api/method/frappe.desk.reportview.get",
		200,
		params={"doctype": "Member Bank Account", "parent_doctype": "Member", "fields": '["name"]'},
	)


def test_lists_naming_a_table_that_is_not_theirs(admin, users):
	"""A list or count whose fields, filters or order name another doctype's table (not a child table of the
	queried one): Frappe joins it as a child table and the database refuses the query. A 417 naming it, on
	every list door, for staff and borrowers; a child table's field still filters."""
	nik = '["name", "`tabMember`.`nik`"]'
	by_nik = json.dumps([["Member", "nik", "like", "3%"]])
	cases = [
		("GET", "/api/resource/Loan", {"fields": nik}),
		("GET", "/api/resource/Loan", {"filters": by_nik}),
		("GET", "/api/resource/Loan", {"order_by": "`tabMember`.`nik` desc"}),
		("GET", "/api/v2/document/Loan", {"fields": nik}),
		("GET", "/api/v2/doctype/Loan/count", {"filters": by_nik}),
		("GET", "/api/method/frappe.client.get_list", {"doctype": "Loan", "fields": nik}),
		("GET", "/api/method/frappe.client.get_count", {"doctype": "Loan", "filters": by_nik}),
		("GET", "/api/method/frappe.desk.reportview.get_count", {"doctype": "Loan", "filters": by_nik}),
		("POST", "/api/method/frappe.desk.reportview.get", {"doctype": "Loan", "fields": nik}),
	]
	for api in (admin, users["mobile"]):
		for verb, path, params in cases:
			kw = {"params": params} if verb == "GET" else {"data": params}
			r = api.call(verb, path, None, **kw)
			record("generic surface", f"{verb} {path} {params} as {api.user}", r)
			if api is not admin and path.startswith("/api/method/frappe.desk."):
				expect(r.status_code in (403, 417), f"{path} {params}: {r.status_code} {r.text[:300]}")
				continue
			expect(r.status_code == 417, f"{path} {params} as {api.user}: {r.status_code} {r.text[:300]}")
			expect(code_of(r) == "FOREIGN_TABLE", r.text[:300])
	child = json.dumps([["Member Bank Account", "account_number", "like", "5%"]])
	admin.call("GET", "/api/resource/Member", 200, params={"filters": child})


def test_bodies_frappe_cannot_read(admin, users):
	"""Bodies that fail inside Frappe before any endpoint runs: a form field whose name is not UTF-8 (a keyword
	Frappe cannot pass), and /api/resource writes whose body is not a JSON object."""
	odd_name = b'--XX\r\nContent-Disposition: form-data; name="\xc2\x88\\"\r\n\r\n{}\r\n--XX--\r\n'
	multipart = {"Content-Type": "multipart/form-data; boundary=XX"}
	cases = [
		(users["mobile"], "POST", "/api/method/pinjaman_online.api.mobile_kyc.upload", odd_name, multipart),
		(users["guest"], "POST", "/api/method/pinjaman_online.api.mobile.login", odd_name, multipart),
		(admin, "POST", "/api/resource/Member", odd_name, multipart),
		(
			admin,
			"POST",
			"/api/resource/Member",
			"full_name=x",
			{"Content-Type": "application/x-www-form-urlencoded"},
		),
		(admin, "POST", "/api/resource/Member", "", {}),
		(admin, "POST", "/api/resource/Member", "[1, 2]", {"Content-Type": "application/json"}),
		(admin, "PUT", "/api/resource/Loan Product/x", '"text"', {"Content-Type": "application/json"}),
	]
	for api, verb, path, body, headers in cases:
		r = api.call(verb, path, None, data=body, headers=headers)
		record("bodies Frappe cannot read", f"{verb} {path} {body[:30]!r}", r)
		expect(400 <= r.status_code < 500, f"{verb} {path} {body[:40]!r}: {r.status_code} {r.text[:300]}")


def test_zz_figures():
	"""Print the corpus' figures; every response was a 4xx with a message."""
	by_group = Counter(group for group, *_ in RESULTS)
	classes = Counter(f"{status // 100}xx" for _g, _c, status, _m in RESULTS)
	statuses = Counter(status for _g, _c, status, _m in RESULTS)
	silent = [(g, c, s) for g, c, s, m in RESULTS if s >= 400 and not m]
	print(f"\nbad-input corpus against {URL}: {len(RESULTS)} cases")
	for group, n in sorted(by_group.items()):
		print(f"  {group}: {n}")
	print(f"  by class: {dict(sorted(classes.items()))}; by status: {dict(sorted(statuses.items()))}")
	print(f"  5xx: {classes.get('5xx', 0)}; 4xx without a message: {len(silent)}")
	for group, case, status, _m in RESULTS:
		if not 400 <= status < 500:
			print(f"  NOT 4xx: {status} {group}: {case}")
	assert RESULTS, "run the whole module: the figures come from the tests above"
	assert classes.get("5xx", 0) == 0
	assert not silent, "\n".join(f"{s} {g}: {c}" for g, c, s in silent)
