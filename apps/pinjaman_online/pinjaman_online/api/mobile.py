"""Borrower mobile API (seeds 000–003): registration, OTP, password and biometric login, tokens, devices.

Guest endpoints (register, OTP, login, refresh, biometric challenge/login) are limited per client address
with Frappe's ``rate_limit`` (Borrower Settings), and logins follow the site's one login policy
(``login_policy``: throttling per account and client, phone verification, disabled users); OTP sends have
budgets per phone and client address (``borrower/registration.py``). Every other endpoint needs
``Authorization: Bearer <access token>``; the same token works on Frappe's REST (``/api/resource``) with the
borrower's own permissions. The contract is ``/api/method/pinjaman_online.api.mobile.openapi``.
"""

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import now_datetime

from pinjaman_online import login_policy
from pinjaman_online.api import require
from pinjaman_online.borrower import auth, registration
from pinjaman_online.permissions import is_borrower

HOUR = 3600


def _login_failed(account: str, message: str, device: str | None = None):
	login_policy.record_failure(account, device)
	frappe.throw(message, frappe.AuthenticationError)


def _resolve_login(login: str) -> str | None:
	login = (login or "").strip()
	if "@" in login:
		return frappe.db.get_value("User", {"name": login.lower()}, "name")
	try:
		phone = registration.normalize_phone(login)
	except frappe.ValidationError:
		frappe.clear_messages()
		return None
	return frappe.db.get_value("User", {"mobile_no": phone}, "name")


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def register(
	full_name: str | None = None,
	email: str | None = None,
	phone: str | None = None,
	nik: str | None = None,
	password: str | None = None,
	consent: bool | None = None,
	consents: list | str | None = None,
) -> dict:
	"""`POST /register`: create the borrower's account (User with role Member, Member, pending KYC) and
	send an OTP to the phone. Indonesian numbers are normalised to E.164. ``consent`` true agrees to the
	consents registration requires (terms, personal data processing) at their current versions; ``consents``
	names them (codes or ``{"type", "version"}``) and may add marketing. The NIK of a member registered by
	staff, with the phone on file, links the account to that member once the phone is verified."""
	given = consent if consents in (None, "", []) else True  # either says what the borrower agrees to
	require(full_name=full_name, email=email, phone=phone, nik=nik, password=password, consent=given)
	return registration.register(full_name, email, phone, nik, password, consent, consents)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def request_otp(phone: str | None = None) -> dict:
	"""`POST /otp/request`: send a new OTP to a registered, unverified phone (per-phone and per-IP limits)."""
	require(phone=phone)
	return registration.resend_otp(phone)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def verify_otp(phone: str | None = None, code: str | None = None) -> dict:
	"""`POST /otp/verify`: verify the phone with the code received by SMS (expiring, limited attempts)."""
	require(phone=phone, code=code)
	return registration.verify_otp(phone, code)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def login(login: str | None = None, password: str | None = None) -> dict:
	"""`POST /login`: email or phone + password → access token (JWT) + refresh token.

	The login policy (``login_policy``) applies: a client that failed too often waits (429, exponential
	backoff per account and client; the app's ``X-Device-Id`` header identifies the device), a disabled user
	or an unverified phone is refused (401)."""
	require(login=login, password=password)
	user = _resolve_login(login)
	account = user or (login or "").strip().lower()  # email and phone logins count against the same account
	login_policy.ensure_allowed(account)
	if not user or not is_borrower(user) or not frappe.db.get_value("User", user, "enabled"):
		_login_failed(account, _("Incorrect login or password"))
	from frappe.utils.password import check_password

	try:
		check_password(user, password, delete_tracker_cache=False)
	except frappe.AuthenticationError:
		_login_failed(account, _("Incorrect login or password"))
	login_policy.ensure_user_may_login(user)
	login_policy.record_success(account)
	return auth.issue_tokens(user, "pwd")


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def refresh(refresh_token: str | None = None) -> dict:
	"""`POST /token/refresh`: rotate the refresh token; a reused (already rotated) one ends the session."""
	require(refresh_token=refresh_token)
	return auth.rotate(refresh_token)


@frappe.whitelist(methods=["POST"])
def logout() -> dict:
	"""`POST /logout`: end the session of the presented access token (its refresh tokens are revoked)."""
	claims = auth.current_claims()
	return {"revoked": auth.revoke_family(claims["sid"], "Logout")}


@frappe.whitelist(methods=["POST"])
def force_logout(user: str | None = None) -> dict:
	"""Admin: end every session of ``user`` (mobile tokens and desk sessions)."""
	frappe.only_for(("System Manager", "Koperasi Admin"))
	require(user=user)
	from frappe.sessions import clear_sessions

	revoked = auth.revoke_user_sessions(user, f"Forced logout by {frappe.session.user}")
	clear_sessions(user, keep_current=False, force=True)
	return {"user": user, "revoked": revoked}


@frappe.whitelist(methods=["GET"])
def me() -> dict:
	"""`GET /users/profile`: the borrower's own profile; the NIK only masked."""
	auth.current_claims()
	user = frappe.session.user
	member = frappe.db.get_value(
		"Member", {"user": user}, ["name", "full_name", "phone", "email", "status"], as_dict=True
	)
	kyc = frappe.db.get_value(
		"KYC Submission",
		{"user": user},
		["name", "status", "nik_masked", "rejection_reason"],
		as_dict=True,
		order_by="creation desc",
	)
	return {
		"user": user,
		"member": member,
		"kyc": kyc,
		"phone_verified": login_policy.phone_verified(user),
	}


# ---------------------------------------------------------------- biometric login


@frappe.whitelist(methods=["POST"])
def register_device(
	device_id: str | None = None, public_key: str | None = None, device_name: str | None = None
) -> dict:
	"""`POST /devices`: after a password login, register the phone's ECDSA P-256 public key (PEM) for
	biometric login. Returns ``device``, the id to send with biometric logins. Re-registering a device_id
	replaces its key."""
	claims = auth.current_claims()
	require(device_id=device_id, public_key=public_key)
	if "pwd" not in claims.get("amr", []):
		frappe.throw(_("Register a device from a password login"), frappe.PermissionError)
	auth.load_public_key(public_key)
	user = frappe.session.user
	for old in frappe.get_all(
		"Borrower Device", {"user": user, "device_id": device_id, "status": "Active"}, pluck="name"
	):
		frappe.db.set_value("Borrower Device", old, "status", "Revoked")
	doc = frappe.get_doc(
		{
			"doctype": "Borrower Device",
			"user": user,
			"device_id": device_id,
			"device_name": device_name or device_id,
			"public_key": public_key.strip(),
			"algorithm": "ES256",
			"status": "Active",
		}
	).insert(ignore_permissions=True)
	return {"device": doc.name, "device_id": doc.device_id, "algorithm": doc.algorithm}


@frappe.whitelist(methods=["GET"])
def devices() -> list[dict]:
	"""`GET /devices`: the borrower's registered devices."""
	auth.current_claims()
	return frappe.get_all(
		"Borrower Device",
		{"user": frappe.session.user},
		["name as device", "device_id", "device_name", "status", "creation", "last_used_on"],
		order_by="creation desc",
	)


@frappe.whitelist(methods=["POST"])
def revoke_device(device: str | None = None) -> dict:
	"""`DELETE /devices/{id}`: revoke one of the borrower's devices and end its sessions."""
	auth.current_claims()
	require(device=device)
	if frappe.db.get_value("Borrower Device", device, "user") != frappe.session.user:
		frappe.throw(_("Device {0} not found").format(device), frappe.DoesNotExistError)
	frappe.db.set_value("Borrower Device", device, "status", "Revoked")
	for family in frappe.get_all("Refresh Token", {"device": device}, pluck="family", distinct=True):
		auth.revoke_family(family, "Device revoked")
	return {"device": device, "status": "Revoked"}


def _active_device(device: str) -> dict | None:
	return frappe.db.get_value(
		"Borrower Device", {"name": device, "status": "Active"}, ["name", "user", "public_key"], as_dict=True
	)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def biometric_challenge(device: str | None = None) -> dict:
	"""`POST /login/biometric/challenge`: a single-use nonce for the device to sign."""
	require(device=device)
	if not _active_device(device):
		frappe.throw(_("Unknown or revoked device"), frappe.AuthenticationError)
	return {
		"nonce": auth.issue_nonce(device),
		"expires_in": int(auth.settings().biometric_nonce_seconds),
		"sign": "ECDSA P-256 SHA-256 over UTF-8 'pinjaman-online:biometric-login:<nonce>', DER, base64",
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
def biometric_login(
	device: str | None = None, nonce: str | None = None, signature: str | None = None
) -> dict:
	"""`POST /login/biometric`: the device's signature of the nonce → tokens. Nonces are single use;
	failures are throttled by the login policy per account and device like password failures."""
	require(device=device, nonce=nonce, signature=signature)
	row = _active_device(device)
	if not row:
		frappe.throw(_("Unknown or revoked device"), frappe.AuthenticationError)
	account, client_device = row.user, f"biometric:{device}"
	login_policy.ensure_allowed(account, client_device)
	if not auth.consume_nonce(device, nonce):
		_login_failed(account, _("Challenge expired or already used: request a new one"), client_device)
	if not auth.signature_valid(row.public_key, auth.biometric_message(nonce), signature):
		_login_failed(account, _("Biometric signature not valid"), client_device)
	login_policy.ensure_user_may_login(row.user)
	login_policy.record_success(account, client_device)
	frappe.db.set_value("Borrower Device", device, "last_used_on", now_datetime(), update_modified=False)
	return auth.issue_tokens(row.user, "bio", device=device)


@frappe.whitelist(methods=["GET"])
def openapi() -> dict:
	"""`GET /openapi.json`: the OpenAPI 3 document of the borrower API (kept in the repository).

	``api/mobile_openapi.json`` holds the document's frame and the identity endpoints; each part of the
	borrower API (KYC, loans, payments, notifications) keeps its paths and schemas in ``api/openapi/*.json``,
	merged here in file-name order."""
	return openapi_document()


def openapi_document() -> dict:
	import glob
	import json
	import os

	here = os.path.dirname(__file__)
	with open(os.path.join(here, "mobile_openapi.json")) as fh:
		doc = json.load(fh)
	for path in sorted(glob.glob(os.path.join(here, "openapi", "*.json"))):
		with open(path) as fh:
			part = json.load(fh)
		doc["paths"].update(part.get("paths", {}))
		for section, items in part.get("components", {}).items():
			doc["components"].setdefault(section, {}).update(items)
		doc.setdefault("tags", []).extend(part.get("tags", []))
	return doc
