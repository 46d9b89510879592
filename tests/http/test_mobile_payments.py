"""Borrower bills and repayment through the payment gateway over HTTP (payments).

A borrower registers over the API; the staff complete their Member (pension data, documents) and take a loan
application through analysis, committee and disbursement with their own tokens. The borrower then sees the
bill, asks for a virtual account (fake gateway), and the gateway's signed webhook — delivered twice, at the
same moment — posts one payment that reduces the outstanding exactly. A bad signature is refused and posts
nothing; another borrower can neither see the bill nor pay on the loan.
"""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import uuid
from decimal import Decimal

import pytest
from conftest import SECRET, URL, book_loan, new_session
from test_mobile import bearer, registered

P = "pinjaman_online.api.mobile_payments."
N = "pinjaman_online.api.mobile_notifications."


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Pinjaman Mobile {uuid.uuid4().hex[:8]}",
			"product_type": "Pension Loan",
			"min_principal": 1000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"fees": [{"fee_type": "Admin", "basis": "Amount", "amount": 100000}],
		},
	)["name"]


def next_month(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=min(d.day, 28))


def borrower_with_loan(staff, guest, sms, product, principal=12_000_000, tenor=12) -> dict:
	"""A registered borrower whose own Member gets a disbursed loan through the staff path."""
	ident = registered(guest, sms)
	loan = book_loan(
		staff, product, principal, tenor, next_month(dt.date.today()), member=ident["registration"]["member"]
	)
	ident["loan"] = loan
	ident["api"] = bearer(ident["tokens"]["access_token"])
	return ident


def outstanding(staff, loan) -> Decimal:
	out = staff["finance"].method("pinjaman_online.api.servicing.outstanding", verb="GET", loan=loan)
	return Decimal(out["total"])


def payments_of(admin, loan) -> list[dict]:
	return admin.list(
		"Loan Payment",
		filters=json.dumps([["loan", "=", loan], ["docstatus", "=", 1]]),
		fields=json.dumps(["name", "amount", "payment_method", "reference_no", "source_key"]),
	)


def deliver(body: dict, secret: str = SECRET, signature: str | None = None):
	raw = json.dumps(body, separators=(",", ":")).encode()
	sig = signature if signature is not None else hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
	s = new_session()
	return s.post(
		URL + "/api/method/" + P + "payment_webhook",
		data=raw,
		headers={"Content-Type": "application/json", "X-Signature": sig},
		timeout=60,
	)


@pytest.fixture(scope="module")
def alice(staff, guest, sms, gateway, product):
	return borrower_with_loan(staff, guest, sms, product)


def test_bill_payment_request_and_signed_webhook_posts_once(admin, staff, alice, gateway):
	me, loan = alice["api"], alice["loan"]
	bill = me.method(P + "billing", verb="GET")
	assert [b["loan"] for b in bill["loans"]] == [loan]
	mine = bill["loans"][0]
	schedule = staff["finance"].method("pinjaman_online.api.servicing.schedule", verb="GET", loan=loan)
	first = schedule[0]
	assert mine["installments"][0]["status"] == "Due"
	assert mine["installments"][0]["due_date"] == first["due_date"] == bill["next_due_date"]
	assert (
		Decimal(mine["amount_due"]) == Decimal(str(first["total_amount"])) == Decimal(bill["total_due_now"])
	)
	assert Decimal(mine["outstanding"]) == outstanding(staff, loan)
	assert len([i for i in mine["installments"] if i["status"] == "Upcoming"]) == 3

	# bounds: > 0, <= outstanding; whole Rupiah
	for bad in (0, -5, int(Decimal(mine["outstanding"])) + 1):
		r = me.method(P + "request_payment", expect=417, loan=loan, amount=bad)
		assert "amount" in r.text.lower()

	req = me.method(P + "request_payment", loan=loan)
	assert req["status"] == "Pending" and req["bank"] == "BNI" and req["va_number"].startswith("8808")
	assert Decimal(req["amount"]) == Decimal(mine["amount_due"])
	sent = gateway.fake.received("POST", "/virtual-accounts")[-1]
	assert sent.headers["Authorization"] == "Bearer pg-test-key"
	assert (
		sent.json["amount"] == int(Decimal(req["amount"]))
		and sent.json["external_id"] == req["payment_request"]
	)
	reference = admin.get("Loan Payment Request", req["payment_request"])["gateway_reference"]

	before = outstanding(staff, loan)
	body = {
		"event": "payment.paid",
		"reference": reference,
		"external_id": req["payment_request"],
		"transaction_id": f"TRX-{uuid.uuid4().hex[:10]}",
		"amount": int(Decimal(req["amount"])),
		"paid_at": dt.datetime.now().isoformat(timespec="seconds"),
	}

	# a bad signature is refused, logged, and posts nothing
	def bad_signature_logs():
		flt = json.dumps([["method", "=", "Payment webhook: bad signature"]])
		return len(admin.list("Error Log", filters=flt, limit_page_length=1000))

	logged = bad_signature_logs()
	for sig in ("0" * 64, hmac.new(b"wrong", json.dumps(body).encode(), hashlib.sha256).hexdigest(), ""):
		r = deliver(body, signature=sig)
		assert r.status_code in (401, 403), r.text
	assert payments_of(admin, loan) == []
	assert bad_signature_logs() == logged + 3
	assert (
		me.method(P + "payment_status", verb="GET", payment_request=req["payment_request"])["status"]
		== "Pending"
	)

	# the same webhook delivered twice at the same moment posts once, both answer 200 with the same result
	answers = []
	threads = [threading.Thread(target=lambda: answers.append(deliver(body))) for _ in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	assert [a.status_code for a in answers] == [200, 200], [a.text[:500] for a in answers]
	results = [a.json()["message"] for a in answers]
	assert results[0] == results[1]
	again = deliver(body)
	assert again.status_code == 200 and again.json()["message"] == results[0]

	posted = payments_of(admin, loan)
	assert len(posted) == 1
	assert (
		posted[0]["payment_method"] == "Payment Gateway"
		and posted[0]["reference_no"] == body["transaction_id"]
	)
	assert Decimal(str(posted[0]["amount"])) == Decimal(req["amount"])
	assert results[0]["loan_payment"] == posted[0]["name"] and results[0]["excess_amount"] == "0"
	assert outstanding(staff, loan) == before - Decimal(req["amount"])
	status = me.method(P + "payment_status", verb="GET", payment_request=req["payment_request"])
	assert status["status"] == "Paid" and Decimal(status["paid_amount"]) == Decimal(req["amount"])

	# PaymentReceived → in-app "Pembayaran diterima" (RQ)
	deadline = time.time() + 40
	while time.time() < deadline:
		got = me.method(N + "notifications", verb="GET", is_read="false")["notifications"]
		if any(n["subject"] == "Pembayaran diterima" for n in got):
			break
		time.sleep(0.5)
	else:
		pytest.fail(f"no payment-received notification: {got}")
	assert any(req_amount_text(req["amount"]) in (n["message"] or "") for n in got)


def req_amount_text(amount: str) -> str:
	return "Rp" + f"{int(Decimal(amount)):,}".replace(",", ".")


def _message(r) -> str:
	"""The first message of a Frappe error answer."""
	return json.loads(json.loads(r.json()["_server_messages"])[0])["message"]


def test_another_borrower_sees_no_bill_and_cannot_pay_the_loan(alice, guest, sms, gateway):
	other = bearer(registered(guest, sms)["tokens"]["access_token"])
	assert other.method(P + "billing", verb="GET")["loans"] == []
	# another's loan answers as a loan that does not exist (same status, same message)
	theirs = other.method(P + "request_payment", expect=404, loan=alice["loan"], amount=100000)
	none = other.method(P + "request_payment", expect=404, loan="LN-NOPE-00000", amount=100000)
	assert _message(theirs).replace(alice["loan"], "X") == _message(none).replace("LN-NOPE-00000", "X")
	req = alice["api"].method(P + "request_payment", loan=alice["loan"], amount=100000)
	other.method(P + "payment_status", expect=404, verb="GET", payment_request=req["payment_request"])
	guest.method(P + "billing", expect=403, verb="GET")  # Frappe: not whitelisted for Guest


def test_gateway_down_answers_503_and_writes_nothing(admin, alice, gateway):
	def count():
		return len(admin.list("Loan Payment Request", filters=json.dumps([["loan", "=", alice["loan"]]])))

	before = count()
	gateway.down = True
	try:
		r = alice["api"].method(P + "request_payment", expect=503, loan=alice["loan"])
		assert "not available" in r.text
	finally:
		gateway.down = False
	assert count() == before


def test_overpayment_posts_the_outstanding_and_keeps_the_excess_for_refund(
	admin, staff, guest, sms, gateway, product
):
	bob = borrower_with_loan(staff, guest, sms, product, principal=6_000_000, tenor=6)
	owed = outstanding(staff, bob["loan"])
	req = bob["api"].method(P + "request_payment", loan=bob["loan"], amount=int(owed))
	reference = admin.get("Loan Payment Request", req["payment_request"])["gateway_reference"]
	r = deliver(
		{
			"event": "payment.paid",
			"reference": reference,
			"transaction_id": f"TRX-{uuid.uuid4().hex[:10]}",
			"amount": int(owed) + 50000,
		}
	)
	assert r.status_code == 200, r.text
	result = r.json()["message"]
	assert Decimal(result["amount_posted"]) == owed and result["excess_amount"] == "50000"
	assert outstanding(staff, bob["loan"]) == 0
	doc = admin.get("Loan Payment Request", req["payment_request"])
	assert doc["status"] == "Paid" and doc["needs_review"] == 1 and doc["excess_amount"] == 50000

	unknown = deliver({"event": "payment.paid", "reference": "va-nope", "transaction_id": "T", "amount": 1})
	assert unknown.status_code == 404
