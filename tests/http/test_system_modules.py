"""Modules switched off and on by an admin over HTTP (Tier 2): while off, every door to the module's documents
and endpoints answers 403 saying the module is off, its workspace is hidden, its scheduled jobs are stopped and
new tokens leave it out; nothing is deleted, and switching it on gives everything back."""

import json

import jwt
import pytest
from conftest import URL, Api, new_session

PASSWORD = "Modules#Token-2026!"
OFF = ("BILLING", "FUNDER", "ACCOUNTING")


def token_claims(user: str) -> dict:
	r = new_session().post(
		URL + "/api/method/pinjaman_online.api.auth.login",
		json={"username": user, "password": PASSWORD},
		timeout=60,
	)
	assert r.status_code == 200, r.text[:300]
	return jwt.decode(r.json()["message"]["access_token"], options={"verify_signature": False})


def switched_off(r) -> bool:
	return r.status_code == 403 and "switched off" in r.text


@pytest.fixture
def modules_off(admin, staff):
	koperasi_admin = staff["admin"]
	for code in OFF:
		koperasi_admin.update("System Module", code, {"enabled": 0})
	try:
		yield koperasi_admin
	finally:
		for code in OFF:
			admin.update("System Module", code, {"enabled": 1})


def test_a_switched_off_module_is_closed_on_every_door_and_comes_back(admin, staff, make_user, modules_off):
	finance: Api = staff["finance"]
	admin.update("User", finance.user, {"new_password": PASSWORD})
	exports_before = admin.call(
		"GET", "/api/method/frappe.client.get_count", params={"doctype": "Pension Cut Export"}
	)
	row = admin.get("System Module", "BILLING")
	assert row["enabled"] == 0 and row["disabled_by"] == modules_off.user and row["disabled_on"]

	doors = [
		("GET", "/api/resource/Pension Cut Export", {}),
		("GET", "/api/v2/document/Pension Cut Import", {}),
		("GET", "/api/method/frappe.client.get_list", {"doctype": "Reconciliation Exception"}),
		(
			"GET",
			"/api/method/frappe.desk.reportview.get",
			{"doctype": "Refund Request", "fields": '["name"]'},
		),
		("GET", "/api/method/frappe.desk.search.search_link", {"doctype": "Funder", "txt": ""}),
		("GET", "/api/method/pinjaman_online.api.billing.unmatched", {"periode": "2026-11"}),
		("GET", "/api/resource/Ledger Entry", {}),
	]
	for verb, path, params in doors:
		r = finance.call(verb, path, None, params=params)
		assert switched_off(r), f"{path}: {r.status_code} {r.text[:300]}"
	# the message says which module, in words a clerk reads
	r = finance.call("GET", "/api/resource/Pension Cut Export", None)
	assert "Pension Billing" in r.json()["_server_messages"] or "Billing" in r.text

	# other modules still work
	finance.call("GET", "/api/resource/Loan", 200)
	# the workspace is hidden and the scheduled jobs are stopped
	assert admin.get("Workspace", "Accounting")["is_hidden"] == 1
	jobs = admin.list(
		"Scheduled Job Type",
		filters=json.dumps([["method", "like", "pinjaman_online.funding.%"]]),
		fields='["name","stopped"]',
	)
	assert jobs and all(j["stopped"] == 1 for j in jobs)
	# a new token leaves the modules out
	claims = token_claims(finance.user)
	assert not set(OFF) & set(claims["modules"]) and "LMS" in claims["modules"]
	assert "EXPORT_BILLING" not in claims["permissions"] and "POST_PAYMENT" in claims["permissions"]

	# switched on again: everything is back, nothing was deleted
	for code in OFF:
		modules_off.update("System Module", code, {"enabled": 1})
	for verb, path, params in doors[:5]:
		r = finance.call(verb, path, None, params=params)
		assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
	assert admin.get("Workspace", "Accounting")["is_hidden"] == 0
	jobs = admin.list(
		"Scheduled Job Type",
		filters=json.dumps([["method", "like", "pinjaman_online.funding.%"]]),
		fields='["name","stopped"]',
	)
	assert all(j["stopped"] == 0 for j in jobs)
	assert "EXPORT_BILLING" in token_claims(finance.user)["permissions"]
	exports_after = admin.call(
		"GET", "/api/method/frappe.client.get_count", params={"doctype": "Pension Cut Export"}
	)
	assert exports_after.json() == exports_before.json()


def test_only_admins_switch_modules(staff):
	staff["finance"].update("System Module", "BILLING", {"enabled": 0}, expect=403)
	staff["sales"].call("GET", "/api/resource/System Module", 403)
