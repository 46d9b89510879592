"""Borrower mobile API over HTTP: registration, OTP from a fake SMS gateway, password and biometric
login, tokens (tampered, expired, revoked, refresh reuse), lockout, limits, isolation between borrowers, and
the OpenAPI document against the served routes.

The fake SMS gateway is a stdlib HTTP server in this process on 127.0.0.1 (random port); Borrower Settings
point the site's SMS adapter at it.
"""

import ast
import base64
import datetime as dt
import json
import random
import time
import uuid
from pathlib import Path

import jwt
from conftest import Api, FakeSms, new_session, nik_for, unique_serial
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

M = "pinjaman_online.api.mobile."
APP = Path(__file__).resolve().parents[2] / "apps" / "pinjaman_online" / "pinjaman_online"
PASSWORD = "Kuat#Sekali-2026!"
SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"


def bearer(token: str) -> Api:
	s = new_session()
	s.headers["Authorization"] = f"Bearer {token}"
	return Api(s, "bearer")


def new_identity() -> dict:
	birth = dt.date(1985 + random.randint(0, 15), random.randint(1, 12), random.randint(1, 28))
	female = random.random() < 0.5
	local = f"0812{random.randint(10_000_000, 99_999_999)}"
	return {
		"full_name": "Dewi Lestari" if female else "Budi Santoso",
		"email": f"borrower-{uuid.uuid4().hex[:10]}@test.example",
		"phone": local,
		"e164": "+62" + local[1:],
		"nik": nik_for(birth, unique_serial(), female=female),
		"password": PASSWORD,
		"consent": True,
	}


def register(guest: Api, ident: dict) -> dict:
	body = {k: ident[k] for k in ("full_name", "email", "phone", "nik", "password", "consent")}
	return guest.method(M + "register", **body)


def registered(guest: Api, sms: FakeSms) -> dict:
	"""A registered borrower with a verified phone and a password session."""
	ident = new_identity()
	ident["registration"] = register(guest, ident)
	guest.method(M + "verify_otp", phone=ident["e164"], code=sms.last_code(ident["e164"]))
	ident["tokens"] = guest.method(M + "login", login=ident["email"], password=PASSWORD)
	return ident


def claims(token: str) -> dict:
	return jwt.decode(token, options={"verify_signature": False})


def sign(key: ec.EllipticCurvePrivateKey, nonce: str) -> str:
	message = f"pinjaman-online:biometric-login:{nonce}".encode()
	return base64.b64encode(key.sign(message, ec.ECDSA(hashes.SHA256()))).decode()


def pem(key: ec.EllipticCurvePrivateKey) -> str:
	return (
		key.public_key()
		.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
		.decode()
	)


def test_register_verify_login_profile_and_own_records(guest, sms):
	ident = new_identity()
	reg = register(guest, ident)
	assert reg["phone"] == ident["e164"] and reg["otp_sent"]
	assert sms.count(ident["e164"]) == 1 and sms.auth[-1] == "Bearer sms-test-key"
	assert "OTP" in sms.messages[-1]["message"]

	# Login waits for the phone; a wrong code is refused and counted.
	r = guest.method(M + "login", 401, login=ident["email"], password=PASSWORD)
	assert "Verify your phone" in r.text
	code = sms.last_code(ident["e164"])
	wrong = "000000" if code != "000000" else "111111"
	guest.method(M + "verify_otp", 417, phone=ident["phone"], code=wrong)
	assert guest.method(M + "verify_otp", phone=ident["phone"], code=code)["verified"] is True

	# Phone login (local format) → tokens with the seed's claims.
	tokens = guest.method(M + "login", login=ident["phone"], password=PASSWORD)
	assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
	c = claims(tokens["access_token"])
	for key in ("sub", "roles", "permissions", "modules", "iat", "exp", "iss", "jti"):
		assert key in c, key
	assert c["sub"] == ident["email"] and "Member" in c["roles"]
	assert "VIEW_LOAN" in c["permissions"] and "CREATE_APPLICATION" not in c["permissions"]
	assert c["exp"] - c["iat"] == tokens["expires_in"] and c["amr"] == ["pwd"]

	me = bearer(tokens["access_token"])
	profile = me.method(M + "me", verb="GET")
	assert profile["member"]["name"] == reg["member"] and profile["phone_verified"]
	assert profile["kyc"]["status"] == "Pending"
	assert profile["kyc"]["nik_masked"] == ident["nik"][:4] + "********" + ident["nik"][-4:]
	assert ident["nik"] not in json.dumps(profile)

	# Frappe's REST with the same token: the own Member, and only it.
	assert me.get("Member", reg["member"])["registration_channel"] == "Mobile App"
	assert [m["name"] for m in me.list("Member", limit_page_length=100)] == [reg["member"]]
	me.call("GET", "/api/resource/KYC Submission", 403)


def test_duplicate_weak_and_invalid_registrations_are_refused(guest, sms):
	ident = registered(guest, sms)
	again = new_identity()
	for field in ("email", "phone", "nik"):
		clash = {**again, field: ident[field]}
		assert "already registered" in register_expect(guest, clash, 417).text
	assert "too easy" in register_expect(guest, {**new_identity(), "password": "password123"}, 417).text
	assert "NIK" in register_expect(guest, {**new_identity(), "nik": "9901010101900001"}, 417).text
	assert "mobile number" in register_expect(guest, {**new_identity(), "phone": "12345"}, 417).text
	assert "terms" in register_expect(guest, {**new_identity(), "consent": False}, 417).text


def register_expect(guest: Api, ident: dict, status: int):
	body = {k: ident[k] for k in ("full_name", "email", "phone", "nik", "password", "consent")}
	return guest.method(M + "register", status, **body)


def test_another_borrower_cannot_read_the_first_ones_records(guest, sms):
	first, second = registered(guest, sms), registered(guest, sms)
	other = bearer(second["tokens"]["access_token"])
	r = other.call("GET", f"/api/resource/Member/{first['registration']['member']}", None)
	assert r.status_code in (403, 404), r.text
	assert first["registration"]["member"] not in json.dumps(other.list("Member"))
	assert other.method(M + "me", verb="GET")["member"]["name"] == second["registration"]["member"]


def test_biometric_login_with_a_real_signature(guest, sms):
	ident = registered(guest, sms)
	me = bearer(ident["tokens"]["access_token"])
	key = ec.generate_private_key(ec.SECP256R1())
	device = me.method(M + "register_device", device_id="pixel-8", public_key=pem(key), device_name="Pixel 8")
	assert device["algorithm"] == "ES256"
	rsa_like = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
	me.method(M + "register_device", 417, device_id="bad", public_key=rsa_like)

	nonce = guest.method(M + "biometric_challenge", device=device["device"])["nonce"]
	tokens = guest.method(
		M + "biometric_login", device=device["device"], nonce=nonce, signature=sign(key, nonce)
	)
	assert claims(tokens["access_token"])["sub"] == ident["email"]
	assert claims(tokens["access_token"])["amr"] == ["bio"]
	bio = bearer(tokens["access_token"])
	assert bio.method(M + "me", verb="GET")["user"] == ident["email"]
	# A biometric session cannot enrol more devices.
	bio.method(
		M + "register_device",
		403,
		device_id="tablet",
		public_key=pem(ec.generate_private_key(ec.SECP256R1())),
	)

	# The nonce is single use; another key's signature is refused.
	guest.method(M + "biometric_login", 401, device=device["device"], nonce=nonce, signature=sign(key, nonce))
	nonce = guest.method(M + "biometric_challenge", device=device["device"])["nonce"]
	stranger = ec.generate_private_key(ec.SECP256R1())
	guest.method(
		M + "biometric_login", 401, device=device["device"], nonce=nonce, signature=sign(stranger, nonce)
	)

	# Listed, then revoked: its sessions end and it can no longer log in.
	assert [d["device"] for d in me.method(M + "devices", verb="GET")] == [device["device"]]
	me.method(M + "revoke_device", device=device["device"])
	bio.call("GET", f"/api/method/{M}me", 401)
	guest.method(M + "biometric_challenge", 401, device=device["device"])


def test_tampered_forged_expired_and_revoked_tokens_are_refused(admin, guest, sms):
	ident = registered(guest, sms)
	token = ident["tokens"]["access_token"]
	header, _payload, signature = token.split(".")
	body = claims(token) | {"sub": "Administrator", "roles": ["System Manager"]}
	forged_payload = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
	bearer(f"{header}.{forged_payload}.{signature}").call("GET", "/api/resource/Member", 401)
	bearer(jwt.encode(body, "guessed-secret", algorithm="HS256")).call("GET", "/api/resource/Member", 401)
	none_alg = jwt.encode(body, None, algorithm="none")
	bearer(none_alg).call("GET", "/api/resource/Member", 401)

	admin.call("PUT", SETTINGS, json={"access_token_minutes": 0})
	try:
		short = guest.method(M + "login", login=ident["email"], password=PASSWORD)["access_token"]
	finally:
		admin.call("PUT", SETTINGS, json={"access_token_minutes": 15})
	time.sleep(2)
	bearer(short).call("GET", "/api/resource/Member", 401)

	me = bearer(token)
	me.call("GET", "/api/resource/Member", 200)
	me.method(M + "logout")
	me.call("GET", "/api/resource/Member", 401)
	guest.method(M + "refresh", 401, refresh_token=ident["tokens"]["refresh_token"])


def test_refresh_rotates_and_reuse_revokes_the_family(guest, sms):
	ident = registered(guest, sms)
	first = ident["tokens"]
	second = guest.method(M + "refresh", refresh_token=first["refresh_token"])
	assert second["refresh_token"] != first["refresh_token"]
	assert claims(second["access_token"])["sid"] == claims(first["access_token"])["sid"]
	bearer(second["access_token"]).call("GET", "/api/resource/Member", 200)
	# The rotated token comes back (stolen copy): the whole session ends.
	guest.method(M + "refresh", 401, refresh_token=first["refresh_token"])
	bearer(second["access_token"]).call("GET", "/api/resource/Member", 401)
	guest.method(M + "refresh", 401, refresh_token=second["refresh_token"])
	guest.method(M + "refresh", 401, refresh_token="not-a-token")


def test_admin_force_logout_ends_every_session(admin, guest, sms, make_user):
	ident = registered(guest, sms)
	other_session = guest.method(M + "login", login=ident["phone"], password=PASSWORD)
	sales = make_user("sales", "Sales")
	sales.method(M + "force_logout", 403, user=ident["email"])
	assert admin.method(M + "force_logout", user=ident["email"])["revoked"] == 2
	for tokens in (ident["tokens"], other_session):
		bearer(tokens["access_token"]).call("GET", "/api/resource/Member", 401)
	assert guest.method(M + "login", login=ident["email"], password=PASSWORD)["access_token"]


def test_failed_logins_slow_down_the_client_not_the_account(guest, sms):
	"""Borrower Settings default: 5 failures of one client, then it waits (429, even with the right
	password); another client (here another device: the app's X-Device-Id) is still heard."""
	ident = registered(guest, sms)
	for _ in range(5):
		guest.method(M + "login", 401, login=ident["email"], password="wrong-password")
	r = guest.method(M + "login", 429, login=ident["phone"], password=PASSWORD)
	assert "try again in" in r.text
	elsewhere = new_session()
	elsewhere.headers["X-Device-Id"] = "owner-phone"
	assert Api(elsewhere, "owner").method(M + "login", login=ident["phone"], password=PASSWORD)[
		"access_token"
	]


def test_otp_attempts_and_per_phone_limit(admin, guest, sms):
	admin.call("PUT", SETTINGS, json={"otp_resend_cooldown_seconds": 0})
	try:
		otp_attempts_and_per_phone_limit(guest, sms)
	finally:
		admin.call("PUT", SETTINGS, json={"otp_resend_cooldown_seconds": 60})


def otp_attempts_and_per_phone_limit(guest, sms):
	ident = new_identity()
	register(guest, ident)
	code = sms.last_code(ident["e164"])
	wrong = "000000" if code != "000000" else "111111"
	for _ in range(5):  # default: 5 wrong attempts
		guest.method(M + "verify_otp", 417, phone=ident["phone"], code=wrong)
	assert "request a new one" in guest.method(M + "verify_otp", 417, phone=ident["phone"], code=code).text

	guest.method(M + "request_otp", phone=ident["phone"])  # 2nd SMS this hour
	guest.method(M + "request_otp", phone=ident["e164"])  # 3rd: the default per-phone-and-client budget
	guest.method(M + "request_otp", 429, phone=ident["phone"])
	assert sms.count(ident["e164"]) == 3
	guest.method(M + "verify_otp", phone=ident["phone"], code=sms.last_code(ident["e164"]))


def test_guest_endpoints_are_limited_per_ip(admin, guest):
	admin.call("PUT", SETTINGS, json={"guest_requests_per_ip_per_hour": 0})
	try:
		guest.method(M + "refresh", 429, refresh_token="x")
	finally:
		admin.call("PUT", SETTINGS, json={"guest_requests_per_ip_per_hour": 300})
	guest.method(M + "refresh", 401, refresh_token="x")


def whitelisted() -> dict:
	"""method path -> (allow_guest, methods) of the whitelisted functions in api/mobile.py and api/mobile_*.py."""
	found = {}
	for source in sorted((APP / "api").glob("mobile*.py")):
		tree = ast.parse(source.read_text())
		for node in tree.body:
			if not isinstance(node, ast.FunctionDef):
				continue
			for dec in node.decorator_list:
				if isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "whitelist":
					kw = {k.arg: ast.literal_eval(k.value) for k in dec.keywords}
					path = f"/api/method/pinjaman_online.api.{source.stem}.{node.name}"
					found[path] = (bool(kw.get("allow_guest")), [m.lower() for m in kw.get("methods", [])])
	return found


def openapi_files() -> dict:
	"""The document as the repository keeps it: the frame plus api/openapi/*.json, merged like the server."""
	doc = json.loads((APP / "api" / "mobile_openapi.json").read_text())
	for part_path in sorted((APP / "api" / "openapi").glob("*.json")):
		part = json.loads(part_path.read_text())
		doc["paths"].update(part.get("paths", {}))
		for section, items in part.get("components", {}).items():
			doc["components"].setdefault(section, {}).update(items)
		doc.setdefault("tags", []).extend(part.get("tags", []))
	return doc


def test_openapi_document_matches_the_served_routes(admin, guest, sms):
	ident = registered(guest, sms)
	me = bearer(ident["tokens"]["access_token"])
	served = me.method(M + "openapi", verb="GET")
	assert served == openapi_files()
	assert served["openapi"].startswith("3.")

	functions = whitelisted()
	documented = {}
	for path, ops in served["paths"].items():
		if path.startswith("/api/method/"):
			documented[path] = (path, ops)
	assert set(documented) == set(functions), "OpenAPI paths and api/mobile*.py endpoints differ"
	for name, (path, ops) in documented.items():
		guest_ok, methods = functions[name]
		assert list(ops) == methods, f"{name}: documented {list(ops)}, served {methods}"
		op = ops[methods[0]]
		assert (op.get("security") == []) == guest_ok, f"{name}: guest access differs"
		# The route exists on the site: a call without a body or token never answers 404, and a protected one
		# refuses a guest.
		r = guest.call(methods[0].upper(), path, None, json={} if methods[0] == "post" else None)
		assert r.status_code != 404, f"{path}: 404"
		assert r.status_code < 500, f"{path} answers {r.status_code} to an empty call: {r.text[:300]}"
		if not guest_ok:
			assert r.status_code in (401, 403), f"{path} answers {r.status_code} to a guest"
