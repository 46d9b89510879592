"""Mobile loans over HTTP: apply within the mobile product's limits, KYC and double-financing
refusals, idempotent apply, the credit engine deciding on the RQ worker against a fake credit bureau (approve,
reject with reason, bureau down → referred), status and dashboard figures against the schedule, isolation.

The fake bureau is pinjaman_online.tests.fake_gateway.FakeGateway (stdlib, in this process); Borrower Settings
point the site's bureau adapter at it. It answers per NIK from ``bureau.answers``.
"""

import time
import uuid

import pytest
from pinjaman_online.tests.fake_gateway import FakeGateway
from test_mobile import bearer, registered

L = "pinjaman_online.api.mobile_loans."
SETTINGS = "/api/resource/Borrower Settings/Borrower Settings"
GOOD = {"report_id": "r-ok", "score": 720, "max_dpd": 0, "flags": []}


@pytest.fixture(scope="module")
def bureau(admin):
	fake = FakeGateway()
	fake.answers = {}
	fake.route("POST", "/credit-reports", lambda req: fake.answers.get(req.json["nik"], (200, GOOD)))
	admin.call("PUT", SETTINGS, json={"bureau_base_url": fake.url, "bureau_api_key": "bureau-test-key"})
	yield fake
	fake.stop()


def verify_kyc(admin, ident):
	rows = admin.list("KYC Submission", filters=f'[["user", "=", "{ident["email"]}"]]', fields='["name"]')
	assert rows, f"no KYC Submission for {ident['email']}"
	admin.update("KYC Submission", rows[0]["name"], {"status": "Verified"})


def borrower(admin, guest, sms, verified=True):
	ident = registered(guest, sms)
	if verified:
		verify_kyc(admin, ident)
	ident["api"] = bearer(ident["tokens"]["access_token"])
	return ident


def apply(api, expect=200, headers=None, **overrides):
	body = {
		"amount": 5_000_000,
		"tenor_months": 6,
		"purpose": "Modal usaha warung",
		"consent": True,
		"monthly_income": 8_000_000,
		"occupation": "Employee",
		"bank_name": "BRI",
		"account_number": "0123456789012",
		"account_holder": "Peminjam",
	}
	body.update(overrides)
	r = api.call("POST", f"/api/method/{L}apply", expect, json=body, headers=headers or {})
	return r.json().get("message") if r.status_code == 200 else r


def wait_for(api, application, statuses, timeout=60):
	deadline = time.time() + timeout
	while True:
		latest = api.method(L + "status", verb="GET")["applications"]
		row = next(a for a in latest if a["application"] == application)
		if row["status"] in statuses or time.time() > deadline:
			assert row["status"] in statuses, f"{application} still {row} after {timeout}s"
			return row
		time.sleep(1)


def wait_for_result(admin, application, timeout=60):
	deadline = time.time() + timeout
	while time.time() < deadline:
		r = admin.call("GET", f"/api/resource/Credit Score Result/{application}", None)
		if r.status_code == 200:
			return r.json()["data"]
		time.sleep(1)
	raise AssertionError(f"no Credit Score Result for {application} after {timeout}s")


def test_refusals_before_anything_is_written(admin, guest, sms, bureau):
	ident = borrower(admin, guest, sms, verified=False)
	r = apply(ident["api"], expect=None)
	assert 400 <= r.status_code < 500, r.text
	verify_kyc(admin, ident)
	for bad in ({"amount": 12_000_001}, {"tenor_months": 13}, {"amount": 500}, {"consent": False}):
		r = apply(ident["api"], expect=None, **bad)
		assert 400 <= r.status_code < 500, f"{bad}: {r.status_code} {r.text[:300]}"
	assert ident["api"].method(L + "status", verb="GET")["applications"] == []
	board = ident["api"].method(L + "dashboard", verb="GET")
	assert board["product"]["max_amount"] == "12000000" and board["product"]["max_tenor_months"] == 12
	assert board["remaining_debt"] == "0" and board["can_apply"] is True


def test_apply_is_approved_by_the_engine_and_the_dashboard_follows_the_schedule(admin, guest, sms, bureau):
	ident = borrower(admin, guest, sms)
	api = ident["api"]
	key = {"Idempotency-Key": uuid.uuid4().hex}
	first = apply(api, headers=key)
	assert first["status"] == "SUBMITTED" and first["replayed"] is False and first["event_id"]
	again = apply(api, headers=key)
	assert (again["application"], again["replayed"]) == (first["application"], True)

	row = wait_for(api, first["application"], {"APPROVED"})
	assert row["loan"]
	sent = [r for r in bureau.received("POST", "/credit-reports") if r.json["nik"] == ident["nik"]]
	assert sent and sent[0].headers.get("Authorization") == "Bearer bureau-test-key"
	result = wait_for_result(admin, first["application"])
	assert result["decision"] == "Approve" and result["bureau_score"] == 720 and result["lines"]

	loan = admin.get("Loan", row["loan"])
	assert loan["repayment_method"] == "Bank Transfer" and loan["loan_product"] == "Pinjaman Online"
	schedule = admin.list(
		"Loan Installment",
		filters=f'[["loan", "=", "{row["loan"]}"]]',
		fields='["due_date", "total_amount", "outstanding_amount"]',
		order_by="installment_number asc",
		limit_page_length=100,
	)
	assert len(schedule) == 6
	board = api.method(L + "dashboard", verb="GET")
	# approved, not yet disbursed: nothing owed yet, the loan shows in the history
	assert board["remaining_debt"] == "0" and board["next_due_date"] is None
	assert [(x["loan"], x["status"]) for x in board["loans"]] == [(row["loan"], "APPROVED")]
	admin.method("pinjaman_online.api.servicing.disburse", loan=row["loan"])
	board = api.method(L + "dashboard", verb="GET")
	assert float(board["remaining_debt"]) == sum(i["outstanding_amount"] for i in schedule)
	assert float(board["monthly_bill"]) == loan["installment_amount"]
	assert board["next_due_date"] == schedule[0]["due_date"]
	assert float(board["next_due"]["amount"]) == schedule[0]["total_amount"]
	assert [x["loan"] for x in board["loans"]] == [row["loan"]] and board["loans"][0]["status"] == "ACTIVE"
	assert board["can_apply"] is False

	r = apply(api, expect=409)
	assert "active loan" in r.text

	# Another borrower sees none of it, through these endpoints or Frappe's REST.
	other = borrower(admin, guest, sms)
	assert other["api"].method(L + "status", verb="GET")["applications"] == []
	assert other["api"].method(L + "dashboard", verb="GET")["loans"] == []
	for doctype, name in (("Loan", row["loan"]), ("Loan Application", first["application"])):
		r = other["api"].call("GET", f"/api/resource/{doctype}/{name}", None)
		assert r.status_code in (403, 404), f"{doctype} {name}: {r.status_code}"
	assert api.get("Loan", row["loan"])["name"] == row["loan"]  # the owner does see it


def test_bureau_flag_rejects_with_the_reason(admin, guest, sms, bureau):
	ident = borrower(admin, guest, sms)
	bureau.answers[ident["nik"]] = (
		200,
		{"report_id": "r-bl", "score": 700, "max_dpd": 0, "flags": ["BLACKLIST"]},
	)
	application = apply(ident["api"])["application"]
	row = wait_for(ident["api"], application, {"REJECTED"})
	assert (
		row["reason"] and "BLACKLIST" not in row["reason"] and row["loan"] is None
	)  # no scorecard internals
	assert "BLACKLIST" in wait_for_result(admin, application)["reason"]  # staff see why
	# A rejected application is no longer open: the borrower may apply again.
	assert ident["api"].method(L + "dashboard", verb="GET")["can_apply"] is True


def test_bureau_down_refers_to_an_analyst(admin, guest, sms, bureau):
	ident = borrower(admin, guest, sms)
	bureau.answers[ident["nik"]] = (503, {"error": "maintenance"})
	application = apply(ident["api"])["application"]
	result = wait_for_result(admin, application)
	assert (result["decision"], result["bureau_status"]) == ("Refer", "Unavailable")
	assert admin.get("Loan Application", application)["workflow_state"] == "Submitted"
	assert wait_for(ident["api"], application, {"SUBMITTED"})["reason"] is None
	apply(ident["api"], expect=409)  # still in progress
