"""The borrower's whole journey over HTTP, black box, with ``requests`` only:

register → OTP read from the fake SMS gateway → KYC upload, verified by the worker against the fake e-KYC
provider → password login → device registration → biometric login with a real ECDSA signature → apply →
scoring and decision by the worker (fake credit bureau) → Finance disburses → dashboard → bill → virtual
account at the fake payment gateway → the signed webhook delivered twice posts one payment → notifications
read. Then another borrower's token reads none of it, through the action endpoints and ``/api/resource``.

Every provider is a FakeGateway in this process; Borrower Settings point the site's adapters at them.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from conftest import RECORDED, SECRET, SETTINGS, FakeSms, Gateway
from cryptography.hazmat.primitives.asymmetric import ec
from openapi_check import check_responses
from pinjaman_online.tests.fake_gateway import FakeGateway
from test_kyc import FakeEkyc, image, upload_multipart
from test_mobile import PASSWORD, bearer, new_identity, pem, registered, sign
from test_mobile_loans import GOOD, wait_for
from test_mobile_payments import deliver, payments_of

M = "pinjaman_online.api.mobile."
K = "pinjaman_online.api.mobile_kyc."
L = "pinjaman_online.api.mobile_loans."
P = "pinjaman_online.api.mobile_payments."
N = "pinjaman_online.api.mobile_notifications."


@pytest.fixture(scope="module")
def providers(admin):
	"""SMS, e-KYC, credit bureau and payment gateway fakes, and the settings pointing at them."""

	sms, ekyc, bureau, gateway = FakeSms(), FakeEkyc(), FakeGateway(), Gateway()
	bureau.route("POST", "/credit-reports", lambda req: (200, GOOD))
	admin.call(
		"PUT",
		SETTINGS,
		json={
			"sms_base_url": sms.url,
			"sms_api_key": "sms-test-key",
			"ekyc_base_url": ekyc.gw.url,
			"ekyc_api_key": "ekyc-test-key",
			"bureau_base_url": bureau.url,
			"bureau_api_key": "bureau-test-key",
			"payment_gateway_base_url": gateway.fake.url,
			"payment_gateway_api_key": "pg-test-key",
			"payment_webhook_secret": SECRET,
			"payment_default_bank": "BNI",
		},
	)
	yield {"sms": sms, "ekyc": ekyc, "bureau": bureau, "gateway": gateway}
	sms.stop()
	ekyc.gw.stop()
	bureau.stop()
	gateway.fake.stop()


def say(*parts):
	"""The journey's figures, shown with ``pytest -s`` (kept for the record of a run)."""
	print("  journey:", *parts)


def claims_of(token: str) -> dict:
	import jwt

	return jwt.decode(token, options={"verify_signature": False})


def poll(fetch, done, timeout: float = 60):
	import time

	deadline = time.time() + timeout
	while True:
		value = fetch()
		if done(value) or time.time() > deadline:
			return value
		time.sleep(0.5)


def test_the_borrowers_journey(admin, staff, guest, providers):
	first_response = len(RECORDED)
	sms, ekyc = providers["sms"], providers["ekyc"]

	# 1. Register; the OTP comes by SMS (fake gateway); verify the phone.
	ident = new_identity()
	reg = guest.method(
		M + "register", **{k: ident[k] for k in ("full_name", "email", "phone", "nik", "password", "consent")}
	)
	assert reg["phone"] == ident["e164"] and reg["otp_sent"]
	code = sms.last_code(ident["e164"])
	say("registered", reg["user"], reg["member"], reg["phone"], "OTP by SMS:", code)
	assert guest.method(M + "verify_otp", phone=ident["e164"], code=code)["verified"] is True

	# 2. Password login: a JWT access token and a refresh token.
	tokens = guest.method(M + "login", login=ident["email"], password=PASSWORD)
	assert tokens["token_type"].lower() == "bearer" and tokens["refresh_token"]
	me = bearer(tokens["access_token"])

	# 3. KYC: KTP and selfie uploaded; the worker verifies them with the e-KYC provider.
	kyc = me.method(K + "status", verb="GET")
	ekyc.scenarios[kyc["kyc"]] = {"nik": ident["nik"], "name": ident["full_name"], "score": 95.0}
	upload_multipart(me, image("JPEG"), image("PNG"))
	kyc = poll(lambda: me.method(K + "status", verb="GET"), lambda s: s["status"] != "Pending")
	assert kyc["status"] == "Verified", kyc
	say("KYC", kyc["kyc"], kyc["status"], "NIK", kyc["nik_masked"])
	assert ident["nik"] not in str(kyc)

	# 4. Device registration after the password login, then a biometric login signing the server's nonce.
	key = ec.generate_private_key(ec.SECP256R1())
	device = me.method(M + "register_device", device_id=f"hp-{uuid.uuid4().hex[:6]}", public_key=pem(key))
	nonce = guest.method(M + "biometric_challenge", device=device["device"])["nonce"]
	bio = guest.method(
		M + "biometric_login", device=device["device"], nonce=nonce, signature=sign(key, nonce)
	)
	me = bearer(bio["access_token"])  # from here on the biometric session
	assert me.method(M + "me", verb="GET")["user"] == ident["email"]
	say("biometric login with device", device["device"], "amr", claims_of(bio["access_token"])["amr"])

	# 5. Apply within the mobile product; the credit engine scores and approves on the worker.
	applied = me.method(
		L + "apply",
		amount=6_000_000,
		tenor_months=6,
		purpose="Modal usaha warung",
		consent=True,
		monthly_income=8_000_000,
		occupation="Employee",
		bank_name="BRI",
		account_number="0123456789012",
		account_holder=ident["full_name"],
	)
	assert applied["status"] == "SUBMITTED" and applied["event_id"]
	decided = wait_for(me, applied["application"], {"APPROVED", "REJECTED"})
	assert decided["status"] == "APPROVED", decided
	loan = decided["loan"]
	events = admin.list(
		"Borrower Event",
		filters=f'[["reference_name", "=", "{applied["application"]}"]]',
		fields='["event", "event_id", "user"]',
		order_by="creation asc",
	)
	# the workflow's Submit publishes LoanSubmitted (every door), the mobile apply LoanApplied (seed 002 §9.2)
	assert [e["event"] for e in events] == ["LoanSubmitted", "LoanApplied", "LoanApproved"], events
	assert events[1]["event_id"] == applied["event_id"] and events[1]["user"] == ident["email"]
	score = admin.get("Credit Score Result", applied["application"])
	assert score["decision"] == "Approve" and score["lines"]
	say(
		"applied",
		applied["application"],
		"->",
		decided["status"],
		"score",
		score["score"],
		"bureau",
		score["bureau_score"],
		"loan",
		loan,
	)

	# 6. Finance disburses to the account given at apply.
	paid_out = staff["finance"].method("pinjaman_online.api.servicing.disburse", loan=loan)
	assert (paid_out["bank_name"], paid_out["account_number"]) == ("BRI", "0123456789012")
	assert paid_out["loan_status"] == "Active"

	# 7. Dashboard and bill agree with the schedule.
	schedule = staff["finance"].method("pinjaman_online.api.servicing.schedule", verb="GET", loan=loan)
	board = me.method(L + "dashboard", verb="GET")
	assert Decimal(board["remaining_debt"]) == sum(Decimal(str(r["total_amount"])) for r in schedule)
	assert board["next_due_date"] == schedule[0]["due_date"]
	assert Decimal(board["monthly_bill"]) == Decimal(str(schedule[0]["total_amount"]))
	bill = me.method(P + "billing", verb="GET")
	assert [b["loan"] for b in bill["loans"]] == [loan]
	assert Decimal(bill["total_due_now"]) == Decimal(str(schedule[0]["total_amount"]))
	say(
		"dashboard: remaining",
		board["remaining_debt"],
		"monthly",
		board["monthly_bill"],
		"next due",
		board["next_due_date"],
		"| bill due now",
		bill["total_due_now"],
	)

	# 8. Pay the bill: a virtual account, then the gateway's signed webhook, delivered twice.
	request = me.method(P + "request_payment", loan=loan)
	assert request["status"] == "Pending" and request["va_number"]
	reference = admin.get("Loan Payment Request", request["payment_request"])["gateway_reference"]
	before = Decimal(
		staff["finance"].method("pinjaman_online.api.servicing.outstanding", verb="GET", loan=loan)["total"]
	)
	body = {
		"event": "payment.paid",
		"reference": reference,
		"external_id": request["payment_request"],
		"transaction_id": f"TRX-{uuid.uuid4().hex[:10]}",
		"amount": int(Decimal(request["amount"])),
		"paid_at": dt.datetime.now().isoformat(timespec="seconds"),
	}
	first, second = deliver(body), deliver(body)
	assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
	assert first.json()["message"] == second.json()["message"]
	assert len(payments_of(admin, loan)) == 1
	after = Decimal(
		staff["finance"].method("pinjaman_online.api.servicing.outstanding", verb="GET", loan=loan)["total"]
	)
	assert before - after == Decimal(request["amount"])
	status = me.method(P + "payment_status", verb="GET", payment_request=request["payment_request"])
	assert status["status"] == "Paid"
	say(
		"VA",
		request["bank"],
		request["va_number"],
		"Rp",
		request["amount"],
		"webhook x2 ->",
		[first.status_code, second.status_code],
		"payments",
		len(payments_of(admin, loan)),
		"outstanding",
		before,
		"->",
		after,
	)

	# 9. Notifications: received, approved, payment received (in-app); read them.
	def unread():
		return me.method(N + "notifications", verb="GET", user_id=ident["email"], is_read="false")

	wanted = {"application_received", "loan_approved", "payment_received"}
	got = poll(unread, lambda r: wanted <= {n.get("event") for n in r["notifications"]})
	assert wanted <= {n.get("event") for n in got["notifications"]}, got
	say("notifications:", [(n["event"], n["subject"]) for n in got["notifications"]])
	assert me.method(N + "mark_read", all=True)["unread"] == 0
	assert unread()["notifications"] == []

	# 10. Another borrower's token reads none of the first borrower's records.
	other = registered(guest, sms)
	them = bearer(other["tokens"]["access_token"])
	assert them.method(L + "status", verb="GET")["applications"] == []
	assert them.method(L + "dashboard", verb="GET")["loans"] == []
	assert them.method(P + "billing", verb="GET")["loans"] == []
	r = them.method(P + "request_payment", expect=None, loan=loan)
	assert r.status_code in (403, 404), r.text
	r = them.method(P + "payment_status", expect=None, verb="GET", payment_request=request["payment_request"])
	assert r.status_code in (403, 404), r.text
	for doctype, name in (
		("Loan", loan),
		("Loan Application", applied["application"]),
		("Member", reg["member"]),
		("Loan Payment Request", request["payment_request"]),
	):
		r = them.call("GET", f"/api/resource/{doctype}/{name}", None)
		assert r.status_code in (403, 404), f"{doctype} {name}: {r.status_code}"
	installments = them.call(
		"GET", "/api/resource/Loan Installment", None, params={"filters": f'[["loan","=","{loan}"]]'}
	)
	assert installments.status_code in (403, 404) or installments.json()["data"] == []

	# 11. Every response of the journey (both borrowers, the gateway's webhook, refusals included) is what
	# the OpenAPI document says: documented method and status, body valid against the schema.
	from test_mobile import openapi_files

	mine = RECORDED[first_response:]
	seen, problems = check_responses(openapi_files(), mine)
	say(
		f"OpenAPI: {len(mine)} responses, {len(seen)} documented operations checked, {len(problems)} problems"
	)
	assert not problems, "\n".join(problems)
	assert len(seen) >= 18, sorted(seen)
