"""Black-box HTTP tests against a served site (Tier 2).

bin/test serves the throwaway test site as bin/start does (nginx in front of gunicorn and socketio) and sets:
  PINJAMAN_TEST_URL    base URL (nginx), e.g. http://127.0.0.1:8011
  PINJAMAN_TEST_SITE   the site name (sent as X-Frappe-Site-Name)
  PINJAMAN_ADMIN_PASSWORD
Nothing here imports Frappe: the tests talk HTTP with `requests`, and compare against the lending core
(pure Python) for the expected figures.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

BENCH = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BENCH / "apps" / "pinjaman_online"))

URL = os.environ.get("PINJAMAN_TEST_URL")
SITE = os.environ.get("PINJAMAN_TEST_SITE")
ADMIN_PASSWORD = os.environ.get("PINJAMAN_ADMIN_PASSWORD", "admin")


def cli(method: str, *args) -> object:
	"""Run an app function (``method``, dotted path, whitelisted or not) on the test site through Frappe's CLI
	with positional ``args`` (JSON-serialisable); its JSON result, or None. The tests' seeding of data that no
	endpoint creates (billable loans in a far-future period)."""
	out = subprocess.run(
		[str(BENCH / "bin" / "frappe"), "--site", SITE, "execute", method, "--args", json.dumps(list(args))],
		check=True,
		capture_output=True,
		text=True,
		timeout=300,
	).stdout.strip()
	return json.loads(out.splitlines()[-1]) if out else None


def pytest_collection_modifyitems(config, items):
	if not URL:
		raise pytest.UsageError(
			"tests/http needs a served site: run them through bin/test (PINJAMAN_TEST_URL unset)"
		)


class Api:
	"""A tiny client for one user: token auth (or a session cookie for Administrator)."""

	def __init__(self, session: requests.Session, user: str):
		self.s = session
		self.user = user

	def call(self, verb: str, path: str, expect: int | None = 200, **kw):
		r = self.s.request(verb, URL + path, timeout=60, **kw)
		if expect is not None:
			assert r.status_code == expect, f"{verb} {path} as {self.user}: {r.status_code} {r.text[:800]}"
		return r

	def method(self, name: str, /, expect: int | None = 200, verb: str = "POST", **data):
		kw = {"params": data} if verb == "GET" else {"json": data}
		r = self.call(verb, f"/api/method/{name}", expect, **kw)
		return r.json().get("message") if r.status_code == 200 else r

	def insert(self, doctype: str, doc: dict, expect: int = 200):
		r = self.call("POST", f"/api/resource/{doctype}", expect, json=doc)
		return r.json()["data"] if r.status_code == 200 else r

	def get(self, doctype: str, name: str, expect: int = 200):
		r = self.call("GET", f"/api/resource/{doctype}/{name}", expect)
		return r.json()["data"] if r.status_code == 200 else r

	def update(self, doctype: str, name: str, doc: dict, expect: int = 200):
		r = self.call("PUT", f"/api/resource/{doctype}/{name}", expect, json=doc)
		return r.json()["data"] if r.status_code == 200 else r

	def list(self, doctype: str, **params):
		return self.call("GET", f"/api/resource/{doctype}", params=params).json()["data"]


# Every response of every session of the run, for checks against the OpenAPI document
# (tests/http/openapi_check.py; test_zz_openapi_contract.py checks them all at the end of the run).
RECORDED: list[requests.Response] = []


def new_session() -> requests.Session:
	s = requests.Session()
	s.headers["X-Frappe-Site-Name"] = SITE
	s.headers["Accept"] = "application/json"
	s.hooks["response"].append(lambda r, *args, **kwargs: RECORDED.append(r))
	return s


class FakeSms:
	"""The SMS gateway as the site's adapter sees it (``POST <base>/messages {to, message}``), recording what
	it is sent: a FakeGateway answering 200 with a message id."""

	def __init__(self):
		from pinjaman_online.tests.fake_gateway import FakeGateway

		self.gateway = FakeGateway().route("POST", "/messages", lambda req: (200, {"id": uuid.uuid4().hex}))
		self.url = self.gateway.url

	@property
	def messages(self) -> list[dict]:
		return [r.json for r in self.gateway.received("POST", "/messages")]

	@property
	def auth(self) -> list[str]:
		return [r.headers.get("Authorization", "") for r in self.gateway.received("POST", "/messages")]

	def last_code(self, phone: str) -> str:
		import re

		for msg in reversed(self.messages):
			if msg["to"] == phone:
				return re.search(r"\b(\d{6})\b", msg["message"]).group(1)
		raise AssertionError(f"no SMS to {phone}: {self.messages}")

	def count(self, phone: str) -> int:
		return sum(1 for m in self.messages if m["to"] == phone)

	def stop(self):
		self.gateway.stop()


@pytest.fixture(scope="module")
def sms(admin) -> FakeSms:
	"""A fake SMS gateway per test module, with Borrower Settings pointing the site's adapter at it."""
	fake = FakeSms()
	admin.call(
		"PUT",
		"/api/resource/Borrower Settings/Borrower Settings",
		json={"sms_base_url": fake.url, "sms_api_key": "sms-test-key"},
	)
	yield fake
	fake.stop()


SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"
SECRET = f"whsec-{uuid.uuid4().hex}"


class Gateway:
	"""The fake payment gateway: opens virtual accounts, or fails when ``down``."""

	def __init__(self):
		from pinjaman_online.tests.fake_gateway import FakeGateway

		self.down = False
		self.fake = FakeGateway()
		self.fake.route("POST", "/virtual-accounts", self.open)

	def open(self, req):
		if self.down:
			return 503, {"error": "maintenance"}
		return 200, {
			"id": f"va-{uuid.uuid4().hex[:12]}",
			"bank": req.json["bank"],
			"va_number": f"8808{uuid.uuid4().int % 10**12:012d}",
			"expires_at": req.json["expires_at"],
		}


@pytest.fixture(scope="module")
def gateway(admin) -> Gateway:
	"""A fake payment gateway per test module, configured in Borrower Settings with the webhook secret
	``SECRET`` (the one ``test_mobile_payments.deliver`` signs with)."""
	gw = Gateway()
	admin.call(
		"PUT",
		SETTINGS,
		json={
			"payment_gateway_base_url": gw.fake.url,
			"payment_gateway_api_key": "pg-test-key",
			"payment_webhook_secret": SECRET,
			"payment_default_bank": "BNI",
		},
	)
	yield gw
	gw.fake.stop()


@pytest.fixture(scope="module")
def guest() -> Api:
	"""An anonymous client (no token, no session)."""
	return Api(new_session(), "Guest")


@pytest.fixture(scope="session")
def admin() -> Api:
	s = new_session()
	r = s.post(URL + "/api/method/login", json={"usr": "Administrator", "pwd": ADMIN_PASSWORD}, timeout=60)
	assert r.status_code == 200, r.text
	return Api(s, "Administrator")


@pytest.fixture(scope="session")
def make_user(admin):
	"""Create a staff user with the given roles and return an Api with its own API token."""

	def make(prefix: str, *roles: str) -> Api:
		email = f"{prefix}-{uuid.uuid4().hex[:8]}@test.koperasi.example"
		admin.insert(
			"User",
			{
				"email": email,
				"first_name": prefix.title(),
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": r} for r in roles],
			},
		)
		secret = admin.method("frappe.core.doctype.user.user.generate_keys", user=email)["api_secret"]
		key = admin.get("User", email)["api_key"]
		s = new_session()
		s.headers["Authorization"] = f"token {key}:{secret}"
		return Api(s, email)

	return make


STAFF_ROLES = {
	"admin": ("kopadmin", ["Koperasi Admin"]),
	"sales": ("sales", ["Sales"]),
	"analyst": ("analyst", ["Credit Analyst"]),
	# The SPV also holds the Manager role: the second vote must still come from someone else.
	"spv": ("spv", ["Committee SPV", "Committee Manager"]),
	"manager": ("manager", ["Committee Manager"]),
	"finance": ("finance", ["Finance"]),
}


@pytest.fixture(scope="session")
def staff(make_user) -> dict:
	"""One user per staff role, each with its own token (shared by the HTTP tests of a run)."""
	return {key: make_user(prefix, *roles) for key, (prefix, roles) in STAFF_ROLES.items()}


def unique_serial() -> int:
	return int(uuid.uuid4().int % 9000) + 1


def nik_for(birth, serial: int, female: bool = False) -> str:
	day = birth.day + (40 if female else 0)
	return f"320101{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def upload(api: Api, member: str, name: str) -> str:
	r = api.call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": 1, "doctype": "Member", "docname": member, "file_name": name},
		files={"file": (name, f"%PDF-1.4 {name} {member}".encode(), "application/pdf")},
	)
	return r.json()["message"]["file_url"]


def insert_product(api, prefix: str, **values) -> str:
	"""Insert a pension Loan Product as ``api`` (a Koperasi Admin) and return its name: Rp 1–200 million,
	6–120 months, DSR 70%, 18% a year flat, installments rounded to Rp 100; ``values`` override or add fields."""
	return api.insert(
		"Loan Product",
		{
			"product_name": f"{prefix} {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			**values,
		},
	)["name"]


PENSION_NUMBER_PREFIX = {"Taspen": "TSP", "Asabri": "ASB"}


def verified_member(
	staff: dict,
	member: str | None = None,
	*,
	full_name: str = "Hendra Gunawan",
	birth=None,
	female: bool = False,
	pension_fund: str = "Asabri",
	benefit: int = 6_000_000,
) -> dict:
	"""A pensioner member as the sales user sees it after attaching KTP, KK and SK Pensiun (private files),
	which the credit analyst has then verified; the dict is the sales user's answer before the verification.

	Creates a member born on ``birth`` (default 3 June 1958) with a NIK made for that date, or completes
	``member`` (e.g. a self-registered borrower's) with the pension data (``benefit`` in Rupiah a month) and a
	bank account."""
	import datetime as dt

	pension = {
		"pension_fund": pension_fund,
		"pension_number": f"{PENSION_NUMBER_PREFIX[pension_fund]}{uuid.uuid4().hex[:10]}",
		"monthly_pension_benefit": benefit,
		"bank_accounts": [{"bank_name": "BNI", "account_number": "987654", "account_holder": full_name}],
	}
	if member:
		member = staff["sales"].update("Member", member, pension)
	else:
		birth = birth or dt.date(1958, 6, 3)
		member = staff["sales"].insert(
			"Member",
			{
				"full_name": full_name,
				"nik": nik_for(birth, unique_serial(), female=female),
				"gender": "Female" if female else "Male",
				"birth_date": str(birth),
				**pension,
			},
		)
	docs = [
		{"document_type": t, "file": upload(staff["sales"], member["name"], f"{t}.pdf")}
		for t in ("KTP", "KK", "SK Pensiun")
	]
	member = staff["sales"].update("Member", member["name"], {"documents": docs})
	for d in member["documents"]:
		staff["analyst"].method(
			"pinjaman_online.api.members.verify_document", member=member["name"], document=d["name"]
		)
	return member


def application(
	staff: dict, product: str, principal: int, tenor: int, *, member=None, submit: bool = True, **values
) -> str:
	"""A Loan Application of ``principal`` Rupiah over ``tenor`` months entered by the sales user for
	``member`` (a name; a new verified member when None), with further ``values`` (e.g. first_due_date);
	submitted, which runs the pre-check, unless ``submit`` is False. Returns its name."""
	member = member or verified_member(staff)["name"]
	app = staff["sales"].insert(
		"Loan Application",
		{"member": member, "loan_product": product, "principal": principal, "tenor_months": tenor, **values},
	)["name"]
	if submit:
		staff["sales"].method("pinjaman_online.api.origination.submit", application=app)
	return app


def analysed_application(
	staff: dict,
	product: str,
	principal: int,
	tenor: int,
	*,
	risk_score: int = 30,
	notes: str = "ok",
	**values,
) -> str:
	"""``application``, then analysed by the credit analyst with an Approve recommendation: the application
	waits in state Committee SPV. Returns its name."""
	app = application(staff, product, principal, tenor, **values)
	staff["analyst"].method(
		"pinjaman_online.api.origination.analyze",
		application=app,
		risk_score=risk_score,
		recommendation="Approve",
		notes=notes,
	)
	return app


def book_loan(
	staff: dict, product: str, principal: int, tenor: int, first_due, disbursement_date=None, member=None
) -> str:
	"""The staff path over HTTP, without the assertions of test_pension_loan_path: a disbursed loan's name.

	For a new pensioner member, or for ``member`` (e.g. a self-registered borrower's), whose pension data and
	bank account the sales user completes first."""
	app = analysed_application(
		staff,
		product,
		principal,
		tenor,
		member=verified_member(staff, member)["name"],
		first_due_date=str(first_due),
		**({"application_date": str(disbursement_date)} if disbursement_date else {}),
	)
	staff["spv"].method("pinjaman_online.api.origination.decide", application=app, decision="approve")
	loan = staff["manager"].method(
		"pinjaman_online.api.origination.decide", application=app, decision="approve"
	)["loan"]
	staff["finance"].method(
		"pinjaman_online.api.servicing.disburse",
		loan=loan,
		**({"disbursement_date": str(disbursement_date)} if disbursement_date else {}),
	)
	return loan
