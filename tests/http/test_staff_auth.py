"""Staff sign-in by access token over HTTP (Tier 2): ``POST /auth/login``, refresh, logout, the seed's claims
derived from Frappe's permissions (never more), the token accepted by Frappe's REST with the user's own
permissions, and each user's sessions (token and desk) listed and ended one by one."""

import uuid

import jwt
import pytest
from conftest import URL, Api, new_session

P = "pinjaman_online.api.auth."
PASSWORD = "Staff#Token-2026!"


def sign_in(admin, api: Api) -> str:
	admin.update("User", api.user, {"new_password": PASSWORD})
	return api.user


def login(username: str, password: str = PASSWORD, expect: int = 200, device: str | None = None):
	s = new_session()
	body = {"username": username, "password": password}
	if device:
		body["device_name"] = device
	r = s.post(URL + "/api/method/" + P + "login", json=body, timeout=60)
	assert r.status_code == expect, r.text[:500]
	return r.json().get("message") if r.status_code == 200 else r


def bearer(tokens: dict) -> Api:
	s = new_session()
	s.headers["Authorization"] = f"Bearer {tokens['access_token']}"
	return Api(s, tokens["user"])


def claims_of(tokens: dict) -> dict:
	return jwt.decode(tokens["access_token"], options={"verify_signature": False})


@pytest.fixture(scope="module")
def people(admin, staff):
	for key in ("sales", "spv", "finance", "admin"):
		sign_in(admin, staff[key])
	return staff


def test_staff_token_has_the_seed_claims_and_no_more_than_frappe_allows(people):
	tokens = login(people["sales"].user, device="Android 14 / Sales app")
	c = claims_of(tokens)
	for key in ("sub", "preferred_username", "email", "full_name", "roles", "permissions", "modules"):
		assert c[key], key
	for key in ("iat", "exp", "iss", "jti"):
		assert key in c
	assert c["sub"] == people["sales"].user and "Sales" in c["roles"] and "Committee SPV" not in c["roles"]
	assert {"VIEW_MEMBER", "CREATE_APPLICATION"} <= set(c["permissions"])
	# MANAGE_USER: every user may edit their own User record (Frappe shares it with them), which is not
	# managing users
	assert not {"APPROVE_APPLICATION", "EXPORT_BILLING", "POST_PAYMENT", "VIEW_LEDGER", "MANAGE_USER"} & set(
		c["permissions"]
	)
	assert {"MEMBER", "LOS"} <= set(c["modules"]) and "BILLING" not in c["modules"]

	spv = claims_of(login(people["spv"].user))
	assert "APPROVE_APPLICATION" in spv["permissions"] and "CREATE_APPLICATION" not in spv["permissions"]
	finance = claims_of(login(people["finance"].user))
	assert {"EXPORT_BILLING", "POST_PAYMENT", "DISBURSE_LOAN"} <= set(finance["permissions"])
	assert "BILLING" in finance["modules"]

	# the token works on Frappe's REST with the user's own permissions, nothing more
	api = bearer(tokens)
	api.call("GET", "/api/resource/Member", 200)
	api.call("GET", "/api/resource/Pension Cut Export", 403)
	api.call("GET", "/api/resource/Ledger Entry", 403)


def test_wrong_password_unknown_user_and_bad_input(people):
	login(people["sales"].user, "wrong-password", expect=401)
	login(f"nobody-{uuid.uuid4().hex[:6]}@test.koperasi.example", expect=401)
	r = new_session().post(URL + "/api/method/" + P + "login", json={"username": "x"}, timeout=60)
	assert r.status_code == 417 and "password" in r.text


def test_refresh_rotates_and_logout_ends_the_session(people):
	tokens = login(people["finance"].user)
	s = new_session()
	renewed = s.post(
		URL + "/api/method/" + P + "refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=60
	)
	assert renewed.status_code == 200, renewed.text
	renewed = renewed.json()["message"]
	assert claims_of(renewed)["sid"] == claims_of(tokens)["sid"]
	again = s.post(
		URL + "/api/method/" + P + "refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=60
	)
	assert again.status_code == 401  # a used refresh token ends the whole session
	bearer(renewed).call("GET", "/api/resource/Loan", 401)

	fresh = login(people["finance"].user)
	api = bearer(fresh)
	api.call("GET", "/api/resource/Loan", 200)
	assert api.method(P + "logout")["revoked"] == 1
	api.call("GET", "/api/resource/Loan", 401)


def test_sessions_listed_and_ended_one_by_one(admin, people):
	user = people["sales"].user
	phone = login(user, device="Android 14")
	laptop = login(user, device="Chrome on Windows")
	desk = new_session()
	assert (
		desk.post(URL + "/api/method/login", json={"usr": user, "pwd": PASSWORD}, timeout=60).status_code
		== 200
	)

	mine = bearer(phone).method(P + "sessions", verb="GET")
	by_id = {row["session"]: row for row in mine}
	phone_sid, laptop_sid = claims_of(phone)["sid"], claims_of(laptop)["sid"]
	assert by_id[phone_sid]["device"] == "Android 14" and by_id[phone_sid]["current"] is True
	assert by_id[phone_sid]["ip_address"] and by_id[phone_sid]["started"] and by_id[phone_sid]["last_seen"]
	assert by_id[laptop_sid]["device"] == "Chrome on Windows" and by_id[laptop_sid]["current"] is False
	desk_rows = [row for row in mine if row["kind"] == "desk"]
	assert desk_rows and all(row["session"].startswith("desk-") for row in desk_rows)
	assert desk.cookies.get("sid") not in {row["session"] for row in mine}  # the cookie is never shown

	# the user ends the laptop's session from the phone; the phone keeps working
	assert bearer(phone).method(P + "revoke_session", session=laptop_sid)["revoked"] == 1
	bearer(laptop).call("GET", "/api/resource/Member", 401)
	bearer(phone).call("GET", "/api/resource/Member", 200)

	# another staff member may not see or end them; an admin may
	bearer(login(people["finance"].user)).method(P + "sessions", expect=403, verb="GET", user=user)
	koperasi_admin = bearer(login(people["admin"].user))
	listed = koperasi_admin.method(P + "sessions", verb="GET", user=user)
	desk_id = next(row["session"] for row in listed if row["kind"] == "desk")
	assert koperasi_admin.method(P + "revoke_session", session=desk_id, user=user)["revoked"] == 1
	assert desk.get(URL + "/api/method/frappe.auth.get_logged_user", timeout=60).status_code in (401, 403)
	koperasi_admin.method(P + "revoke_session", expect=404, session=desk_id, user=user)


def test_a_permission_removed_in_the_desk_leaves_the_next_token_at_once(admin, people):
	"""Role Permission Manager's own endpoint takes Sales' read on Sales Visit away: the next token no longer
	claims VIEW_SALES and the REST door refuses; reset to the shipped permissions, both return."""
	update = "frappe.core.page.permission_manager.permission_manager.update"
	before = claims_of(login(people["sales"].user))
	assert "VIEW_SALES" in before["permissions"]
	admin.method(update, doctype="Sales Visit", role="Sales", permlevel=0, ptype="read", value=0)
	try:
		after = login(people["sales"].user)
		assert "VIEW_SALES" not in claims_of(after)["permissions"]
		bearer(after).call("GET", "/api/resource/Sales Visit", 403)
	finally:  # back to the shipped permissions
		admin.method("frappe.core.page.permission_manager.permission_manager.reset", doctype="Sales Visit")
	assert "VIEW_SALES" in claims_of(login(people["sales"].user))["permissions"]
