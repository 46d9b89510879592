"""The seed's global configurations over HTTP (Tier 2): admins read and change them, others are refused, bad
values are refused, and a changed value takes effect at once (interest cap, DSR default, login attempts)."""

import uuid

import pytest
from conftest import URL, new_session

P = "pinjaman_online.api.configurations."
PASSWORD = "Config#Test-2026!"


def product(api, rate, expect=200, **extra):
	body = {
		"product_name": f"Config {uuid.uuid4().hex[:6]}",
		"min_principal": 1_000_000,
		"max_principal": 100_000_000,
		"min_tenor_months": 6,
		"max_tenor_months": 60,
		"max_age_at_maturity": 80,
		"annual_interest_rate": rate,
		"interest_method": "Flat",
		"rounding_unit": 100,
		**extra,
	}
	return api.insert("Loan Product", body, expect=expect)


@pytest.fixture
def kopadmin(staff):
	api = staff["admin"]
	before = {row["key"]: row["value"] for row in api.method(P + "configurations", verb="GET")}
	yield api
	for key in ("INTEREST_CAP", "DSR_DEFAULT", "MAX_LOGIN_ATTEMPTS"):
		api.method(P + "set_configuration", key=key, value=str(before[key] or 0))


def test_admins_read_every_configuration_others_are_refused(kopadmin, staff):
	rows = {row["key"]: row for row in kopadmin.method(P + "configurations", verb="GET")}
	for key in (
		"MAX_LOGIN_ATTEMPTS",
		"DEFAULT_NOTIFICATION_CHANNEL",
		"INTEREST_CAP",
		"DSR_DEFAULT",
		"SESSION_EXPIRY",
	):
		assert key in rows, key
	assert (
		rows["MAX_LOGIN_ATTEMPTS"]["doctype"] == "Borrower Settings"
		and rows["MAX_LOGIN_ATTEMPTS"]["value"] >= 1
	)
	assert rows["SESSION_EXPIRY"]["editable"] is False  # Frappe's System Settings: System Manager only
	assert kopadmin.method(P + "configurations", verb="GET", key="DSR_DEFAULT")[0]["key"] == "DSR_DEFAULT"
	kopadmin.method(P + "configurations", expect=404, verb="GET", key="NO_SUCH_KEY")
	for key in ("sales", "finance"):
		staff[key].method(P + "configurations", expect=403, verb="GET")
		staff[key].method(P + "set_configuration", expect=403, key="INTEREST_CAP", value="99")
	kopadmin.method(P + "set_configuration", expect=417, key="MAX_LOGIN_ATTEMPTS", value="lima")
	kopadmin.method(P + "set_configuration", expect=417, key="DEFAULT_NOTIFICATION_CHANNEL", value="Pigeon")
	kopadmin.method(P + "set_configuration", expect=403, key="SESSION_EXPIRY", value="01:00")


def test_interest_cap_and_dsr_default_apply_at_once(kopadmin):
	assert kopadmin.method(P + "set_configuration", key="INTEREST_CAP", value="24")["value"] == 24
	r = product(kopadmin, 30, expect=417)
	assert "24" in r.text
	product(kopadmin, 18)
	kopadmin.method(P + "set_configuration", key="DSR_DEFAULT", value="35")
	assert product(kopadmin, 18)["dsr_limit"] == 35
	assert product(kopadmin, 18, dsr_limit=50)["dsr_limit"] == 50


def test_max_login_attempts_applies_at_once(kopadmin, admin, make_user):
	user = make_user("config-login", "Sales").user
	admin.update("User", user, {"new_password": PASSWORD})
	kopadmin.method(P + "set_configuration", key="MAX_LOGIN_ATTEMPTS", value="2")
	s = new_session()
	s.headers["X-Device-Id"] = f"config-{uuid.uuid4().hex[:8]}"
	login = URL + "/api/method/pinjaman_online.api.auth.login"
	for _ in range(2):
		assert s.post(login, json={"username": user, "password": "wrong"}, timeout=60).status_code == 401
	r = s.post(login, json={"username": user, "password": PASSWORD}, timeout=60)
	assert r.status_code == 429, r.text[:300]
