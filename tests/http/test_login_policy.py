"""One login policy through every door (login_policy.py), over HTTP.

Doors: the mobile password login, the biometric login, Frappe's ``/api/method/login``, API key and secret,
the borrower's JWT bearer. Checked: failures slow down the failing client only (an outsider who knows the
login cannot lock its owner out), disabled users are refused whatever Frappe accepted, a borrower needs a
verified phone and has no desk, spoofed ``X-Forwarded-For`` from an untrusted peer changes nothing, and an
outsider cannot use up the OTP budget of someone else's phone.

Addresses: the served port is nginx, which overwrites ``X-Forwarded-For`` with the address it saw (here
always 127.0.0.1). To play clients at different addresses, the tests also talk to gunicorn directly (the
port bin/test gives it: PINJAMAN_TEST_BACKEND_URL, else the served port + 100) and send the
``X-Forwarded-For`` nginx would send: gunicorn's peer is then 127.0.0.1, a trusted proxy by default
(``trusted_proxies``: 127.0.0.1, ::1). The spoofing test checks both that nginx drops a client's header and
that, with 127.0.0.1 not trusted in the site config, the header is ignored.
"""

import base64
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import SITE, URL, Api, new_session
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

M = "pinjaman_online.api.mobile."
SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"
PASSWORD = "Kuat#Sekali-2026!"
STAFF_PASSWORD = "Staf#Koperasi-2026!"
BENCH = Path(__file__).resolve().parents[2]


def backend_url() -> str:
	"""gunicorn behind the served nginx (see the module docstring); the served URL when nothing answers."""
	from urllib.parse import urlsplit

	import requests

	url = os.environ.get("PINJAMAN_TEST_BACKEND_URL")
	if not url:
		parts = urlsplit(URL)
		url = f"{parts.scheme}://{parts.hostname}:{(parts.port or 80) + 100}"
	try:
		requests.get(
			url + "/api/method/ping", headers={"X-Frappe-Site-Name": SITE}, timeout=5
		).raise_for_status()
	except requests.RequestException:
		return URL
	return url


BACKEND = backend_url()


class Client(Api):
	"""An Api talking to gunicorn directly, as nginx does."""

	def call(self, verb: str, path: str, expect: int | None = 200, **kw):
		r = self.s.request(verb, BACKEND + path, timeout=60, **kw)
		if expect is not None:
			assert r.status_code == expect, f"{verb} {path} as {self.user}: {r.status_code} {r.text[:800]}"
		return r


def client(ip: str, device: str | None = None, name: str = "client") -> Api:
	"""A client at address ``ip`` (as forwarded by nginx, a trusted proxy), optionally with a device id."""
	s = new_session()
	s.headers["X-Forwarded-For"] = ip
	if device:
		s.headers["X-Device-Id"] = device
	return Client(s, name)


def fresh_ip() -> str:
	n = uuid.uuid4().int
	return f"198.{18 + n % 2}.{n // 2 % 250 + 1}.{n // 500 % 250 + 1}"


def borrower(guest: Api, sms, verify: bool = True) -> dict:
	from test_mobile import new_identity, register

	ident = new_identity()
	ident["registration"] = register(guest, ident)
	if verify:
		guest.method(M + "verify_otp", phone=ident["e164"], code=sms.last_code(ident["e164"]))
	return ident


def staff_with_password(admin: Api, make_user, *roles: str) -> Api:
	api = make_user("policy", *roles)
	admin.update("User", api.user, {"new_password": STAFF_PASSWORD})
	return api


def frappe_login(api: Api, usr: str, pwd: str, expect: int):
	return api.call("POST", "/api/method/login", expect, json={"usr": usr, "pwd": pwd})


def set_settings(admin: Api, **values):
	admin.call("PUT", SETTINGS, json=values)


@pytest.fixture
def defaults(admin):
	"""Borrower Settings' login-policy numbers back to their defaults after the test."""
	yield
	set_settings(
		admin,
		max_failed_logins=5,
		login_backoff_seconds=30,
		lockout_minutes=15,
		account_failures_per_hour=100,
		account_soft_delay_seconds=60,
		failed_logins_per_ip_per_hour=200,
		otp_per_phone_per_hour=3,
		otp_per_phone_ceiling=10,
		otp_resend_cooldown_seconds=60,
	)


# ---------------------------------------------------------------- mobile password login


def test_an_attacker_elsewhere_does_not_lock_out_the_owner(guest, sms):
	ident = borrower(guest, sms)
	owner = client(fresh_ip(), "owner-phone", "owner")
	assert owner.method(M + "login", login=ident["phone"], password=PASSWORD)["access_token"]

	attacker = client(fresh_ip(), "attacker", "attacker")
	for _ in range(5):
		attacker.method(M + "login", 401, login=ident["phone"], password="tebak-tebakan")
	# The attacker's client now waits, and learns nothing even with the right password.
	for password in ("tebak-lagi", PASSWORD):
		assert (
			"try again in" in attacker.method(M + "login", 429, login=ident["email"], password=password).text
		)
	# The owner's client is not affected; neither is a client the owner never used before.
	assert owner.method(M + "login", login=ident["phone"], password=PASSWORD)["access_token"]
	new_phone = client(fresh_ip(), "owner-new-phone", "owner")
	assert new_phone.method(M + "login", login=ident["email"], password=PASSWORD)["access_token"]


def test_the_account_ceiling_slows_unknown_clients_only(admin, guest, sms, defaults):
	ident = borrower(guest, sms)
	owner = client(fresh_ip(), "owner-phone", "owner")
	owner.method(M + "login", login=ident["phone"], password=PASSWORD)
	set_settings(admin, max_failed_logins=100, account_failures_per_hour=3, account_soft_delay_seconds=600)
	for _ in range(3):  # three attackers, one failure each: the account reaches its hourly ceiling
		client(fresh_ip(), "bot").method(M + "login", 401, login=ident["phone"], password="salah")
	unknown = client(fresh_ip(), "bot")
	unknown.method(M + "login", 401, login=ident["phone"], password="salah")
	assert "try again in" in unknown.method(M + "login", 429, login=ident["phone"], password=PASSWORD).text
	# The owner's known device is not slowed, not even after a typo of its own.
	owner.method(M + "login", 401, login=ident["phone"], password="typo")
	assert owner.method(M + "login", login=ident["phone"], password=PASSWORD)["access_token"]


def test_one_address_trying_many_accounts_waits_alone(admin, guest, sms, defaults):
	victims = [borrower(guest, sms) for _ in range(3)]
	set_settings(admin, failed_logins_per_ip_per_hour=3)
	stuffer = fresh_ip()
	for victim in victims:
		client(stuffer, "bot").method(M + "login", 401, login=victim["email"], password="bocoran-lama")
	r = client(stuffer, "another-bot").method(M + "login", 429, login=victims[0]["email"], password=PASSWORD)
	assert "try again in" in r.text
	assert client(fresh_ip(), "owner").method(M + "login", login=victims[0]["email"], password=PASSWORD)
	# A device that logged in to its account before is not held up by the address's other clients.
	known = client(stuffer, "owner-at-the-office")
	set_settings(admin, failed_logins_per_ip_per_hour=200)
	known.method(M + "login", login=victims[1]["email"], password=PASSWORD)
	set_settings(admin, failed_logins_per_ip_per_hour=3)
	assert known.method(M + "login", login=victims[1]["email"], password=PASSWORD)["access_token"]
	client(stuffer, "newcomer").method(M + "login", 429, login=victims[2]["email"], password=PASSWORD)


# ---------------------------------------------------------------- biometric login


def _sign(key, nonce: str) -> str:
	message = f"pinjaman-online:biometric-login:{nonce}".encode()
	return base64.b64encode(key.sign(message, ec.ECDSA(hashes.SHA256()))).decode()


def test_biometric_failures_slow_down_that_client_only(guest, sms):
	from test_mobile import bearer

	ident = borrower(guest, sms)
	tokens = guest.method(M + "login", login=ident["email"], password=PASSWORD)
	key = ec.generate_private_key(ec.SECP256R1())
	pem = (
		key.public_key()
		.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
		.decode()
	)
	device = bearer(tokens["access_token"]).method(M + "register_device", device_id="hp", public_key=pem)
	stranger = ec.generate_private_key(ec.SECP256R1())

	attacker = client(fresh_ip(), name="attacker")
	for _ in range(5):
		nonce = attacker.method(M + "biometric_challenge", device=device["device"])["nonce"]
		attacker.method(
			M + "biometric_login", 401, device=device["device"], nonce=nonce, signature=_sign(stranger, nonce)
		)
	nonce = attacker.method(M + "biometric_challenge", device=device["device"])["nonce"]
	attacker.method(
		M + "biometric_login", 429, device=device["device"], nonce=nonce, signature=_sign(key, nonce)
	)

	owner = client(fresh_ip(), name="owner")
	nonce = owner.method(M + "biometric_challenge", device=device["device"])["nonce"]
	assert owner.method(
		M + "biometric_login", device=device["device"], nonce=nonce, signature=_sign(key, nonce)
	)["access_token"]


# ---------------------------------------------------------------- Frappe's /api/method/login


def test_frappe_login_follows_the_same_policy(admin, make_user):
	staff = staff_with_password(admin, make_user, "Sales")
	owner = client(fresh_ip(), name="owner")
	assert frappe_login(owner, staff.user, STAFF_PASSWORD, 200).json()["message"] == "Logged In"

	attacker = client(fresh_ip(), name="attacker")
	for _ in range(12):  # beyond Frappe's own default of 10: its tracker would lock the account for everyone
		frappe_login(attacker, staff.user, "salah-terus", 401)
	wrong = frappe_login(attacker, staff.user, "salah-lagi", 401).json()
	right = frappe_login(attacker, staff.user, STAFF_PASSWORD, 401).json()
	assert "try again in" in wrong["message"]
	assert right["message"].split(" in ")[0] == wrong["message"].split(" in ")[0]  # no password oracle

	owner = client(owner.s.headers["X-Forwarded-For"], name="owner")
	assert frappe_login(owner, staff.user, STAFF_PASSWORD, 200).json()["message"] == "Logged In"


def test_mobile_and_frappe_login_share_the_account_state(guest, sms):
	"""Failures at one door count at the other: the attacker cannot double its guesses by switching."""
	ident = borrower(guest, sms)
	attacker = client(fresh_ip(), name="attacker")
	for _ in range(3):
		attacker.method(M + "login", 401, login=ident["email"], password="salah")
	for _ in range(2):
		frappe_login(attacker, ident["email"], "salah", 401)
	attacker.method(M + "login", 429, login=ident["email"], password=PASSWORD)
	assert "try again in" in frappe_login(attacker, ident["email"], PASSWORD, 401).json()["message"]


BANK_ROWS = {
	"doctype": "Member Bank Account",
	"parent": "Member",
	"fields": '["name", "parent", "account_number"]',
	"limit_page_length": 0,
}


def test_borrowers_are_website_users_refused_until_verified_and_kept_out_of_the_desk(admin, guest, sms):
	role = admin.get("Role", "Member")
	assert role["desk_access"] == 0

	ident = borrower(guest, sms, verify=False)
	assert admin.get("User", ident["email"])["user_type"] == "Website User"
	browser = client(fresh_ip(), name="borrower")
	r = frappe_login(browser, ident["email"], PASSWORD, 401)
	assert "Verify your phone" in r.text
	# the refused login left no session: child rows of members are not listed to it
	rows = browser.call("GET", "/api/method/frappe.client.get_list", None, params=BANK_ROWS)
	assert rows.status_code in (401, 403), rows.text[:300]

	guest.method(M + "verify_otp", phone=ident["e164"], code=sms.last_code(ident["e164"]))
	assert frappe_login(browser, ident["email"], PASSWORD, 200).json()["message"] == "No App"
	desk = browser.call("GET", "/app", None, allow_redirects=False)
	assert desk.status_code in (302, 403), desk.status_code
	listing = browser.call(
		"GET", "/api/method/frappe.desk.reportview.get", None, params={"doctype": "Member", "fields": '["*"]'}
	)
	assert listing.status_code == 403, listing.text[:300]
	# The borrower's own records stay reachable through REST.
	assert browser.get("Member", ident["registration"]["member"])["name"] == ident["registration"]["member"]
	# Child rows through the session: the borrower's own only, never another member's bank accounts.
	other = borrower(guest, sms)["registration"]["member"]
	admin.update(
		"Member",
		other,
		{
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 5_000_000,
			"bank_accounts": [{"bank_name": "BRI", "account_number": "777000111", "account_holder": "Lain"}],
		},
	)
	rows = browser.call("GET", "/api/method/frappe.client.get_list", 200, params=BANK_ROWS).json()["message"]
	assert {r["parent"] for r in rows} <= {ident["registration"]["member"]}, rows
	assert "777000111" not in json.dumps(rows)


# ---------------------------------------------------------------- API key, JWT, disabled users


def test_a_disabled_users_api_key_and_jwt_are_refused(admin, guest, sms, make_user):
	from test_mobile import bearer

	staff = make_user("disabled", "Sales")
	staff.call("GET", "/api/method/frappe.auth.get_logged_user")
	admin.update("User", staff.user, {"enabled": 0})
	r = staff.call("GET", "/api/method/frappe.auth.get_logged_user", 401)
	assert staff.user not in r.text
	staff.call("GET", "/api/resource/Member", 401)
	basic = new_session()
	basic.headers["Authorization"] = (
		"Basic " + base64.b64encode(staff.s.headers["Authorization"].split(" ", 1)[1].encode()).decode()
	)
	Api(basic, staff.user).call("GET", "/api/method/frappe.auth.get_logged_user", 401)

	ident = borrower(guest, sms)
	tokens = guest.method(M + "login", login=ident["email"], password=PASSWORD)
	me = bearer(tokens["access_token"])
	me.call("GET", "/api/resource/Member", 200)
	admin.update("User", ident["email"], {"enabled": 0})
	me.call("GET", "/api/resource/Member", 401)
	guest.method(M + "login", 401, login=ident["email"], password=PASSWORD)
	guest.method(M + "refresh", 401, refresh_token=tokens["refresh_token"])


def test_wrong_api_secrets_slow_down_that_client_only(make_user):
	staff = make_user("apikey", "Sales")
	key, secret = staff.s.headers["Authorization"].split(" ", 1)[1].split(":")
	attacker = client(fresh_ip(), name="attacker")
	attacker.s.headers["Authorization"] = f"token {key}:not-the-secret"
	for _ in range(5):
		attacker.call("GET", "/api/method/frappe.auth.get_logged_user", 401)
	attacker.s.headers["Authorization"] = f"token {key}:{secret}"
	attacker.call("GET", "/api/method/frappe.auth.get_logged_user", 429)
	assert staff.call("GET", "/api/method/frappe.auth.get_logged_user").json()["message"] == staff.user


# ---------------------------------------------------------------- the client's address


def set_site_config(key: str, value):
	subprocess.run(
		[str(BENCH / "bin" / "frappe"), "--site", SITE, "set-config", key, json.dumps(value), "--parse"],
		check=True,
		capture_output=True,
		cwd=BENCH,
		env=os.environ,
	)


def test_spoofed_forwarded_for_through_nginx_changes_nothing(guest, sms):
	"""Through the served port, nginx replaces the client's X-Forwarded-For: five spoofed addresses are
	one client, which then waits."""
	if BACKEND == URL:
		pytest.skip("no proxy in front of the served port")
	ident = borrower(guest, sms)
	for _ in range(5):
		spoofing = new_session()
		spoofing.headers["X-Forwarded-For"] = fresh_ip()
		Api(spoofing, "spoofer").method(M + "login", 401, login=ident["email"], password="salah")
	spoofing = new_session()
	spoofing.headers["X-Forwarded-For"] = fresh_ip()
	Api(spoofing, "spoofer").method(M + "login", 429, login=ident["email"], password=PASSWORD)


def test_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(guest, sms):
	"""With 127.0.0.1 trusted (the default), two forwarded addresses are two clients; with no trusted
	proxy on this host, the same headers are ignored: both requests are the peer 127.0.0.1, one client."""
	ident = borrower(guest, sms)
	for _ in range(5):
		client(fresh_ip(), "same").method(M + "login", 401, login=ident["email"], password="salah")
	assert client(fresh_ip(), "same").method(M + "login", login=ident["email"], password=PASSWORD)

	other = borrower(guest, sms)
	set_site_config("trusted_proxies", ["192.0.2.1"])
	try:
		for _ in range(5):
			client(fresh_ip(), "same").method(M + "login", 401, login=other["email"], password="salah")
		client(fresh_ip(), "same").method(M + "login", 429, login=other["email"], password=PASSWORD)
	finally:
		set_site_config("trusted_proxies", ["127.0.0.1", "::1"])


# ---------------------------------------------------------------- OTP budgets


def test_an_outsider_cannot_exhaust_the_owners_otp_budget(admin, guest, sms, defaults):
	from test_mobile import new_identity, register

	set_settings(admin, otp_resend_cooldown_seconds=0)
	owner = client(fresh_ip(), name="owner")
	ident = new_identity()
	register(owner, ident)
	outsider = client(fresh_ip(), name="outsider")
	for _ in range(3):  # default budget per phone and client address
		outsider.method(M + "request_otp", phone=ident["phone"])
	outsider.method(M + "request_otp", 429, phone=ident["phone"])
	client(outsider.s.headers["X-Forwarded-For"], "another-device").method(
		M + "request_otp", 429, phone=ident["phone"]
	)

	owner.method(M + "request_otp", phone=ident["phone"])
	code = sms.last_code(ident["e164"])
	# Another outsider's request sends a newer code; the owner's code is still good.
	client(fresh_ip(), name="outsider-2").method(M + "request_otp", phone=ident["phone"])
	assert owner.method(M + "verify_otp", phone=ident["phone"], code=code)["verified"] is True


def test_otp_resend_cooldown(guest, sms):
	from test_mobile import new_identity, register

	ident = new_identity()
	register(guest, ident)  # one code just sent
	r = client(fresh_ip(), name="other").method(M + "request_otp", 429, phone=ident["phone"])
	assert "seconds ago" in r.text


def test_no_login_link_is_mailed_on_a_guests_request(admin, guest, make_user):
	"""Frappe 15 mails a one-time login link to any user a guest names, without limit; the app turns the
	feature off (an admin may turn it on in System Settings)."""
	staff = make_user("login-link", "Finance")
	setting = admin.method(
		"frappe.client.get_single_value", verb="GET", doctype="System Settings", field="login_with_email_link"
	)
	assert not setting
	r = guest.call("POST", "/api/method/frappe.www.login.send_login_link", json={"email": staff.user})
	assert r.json().get("message") is None, r.text[:300]  # returned before mailing anything
