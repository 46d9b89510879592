"""Early settlement from the borrower app over HTTP: payoff quote, virtual account, the gateway's webhook.

A borrower's loan, disbursed forty days ago on a product with a 2% early-settlement fee and one manual penalty,
is quoted the figures staff get (``api.servicing.payoff``). A stale or altered quote is refused (409); asking
twice for the same quote opens one virtual account; the gateway's paid webhook, delivered twice at once and
then again, submits one Loan Settlement that closes the loan without collecting the waived interest, and a
second transaction on the paid request is refused. A second borrower with the same loan pays the plain
outstanding through an ordinary payment request instead: the loan closes too, and the difference to the
payoff is the waived interest less the fee. A third pays less than the payoff: posted as an ordinary payment,
flagged for review, the loan stays open. Another borrower can neither quote nor settle the loan.
"""

import datetime as dt
import json
import threading
import uuid
from decimal import Decimal

import pytest
from conftest import book_loan, insert_product
from test_mobile import bearer, registered
from test_mobile_payments import deliver, outstanding, payments_of

P = "pinjaman_online.api.mobile_payments."
S = "pinjaman_online.api.servicing."
FIGURES = ("as_of", "principal", "interest", "penalty", "early_settlement_fee", "waived_interest", "total")


@pytest.fixture(scope="module")
def product(staff):
	return insert_product(staff["admin"], "Pinjaman Pelunasan", early_settlement_penalty=2)


def borrower_with_old_loan(staff, guest, sms, product) -> dict:
	"""A registered borrower whose Member got Rp 12,000,000 over 12 months, disbursed 40 days ago (first
	installment due 10 days ago, unpaid)."""
	ident = registered(guest, sms)
	disbursed = dt.date.today() - dt.timedelta(days=40)
	ident["loan"] = book_loan(
		staff,
		product,
		12_000_000,
		12,
		disbursed + dt.timedelta(days=30),
		disbursement_date=disbursed,
		member=ident["registration"]["member"],
	)
	ident["api"] = bearer(ident["tokens"]["access_token"])
	return ident


def paid(reference: str, request: str, amount: int) -> dict:
	return {
		"event": "payment.paid",
		"reference": reference,
		"external_id": request,
		"transaction_id": f"TRX-{uuid.uuid4().hex[:10]}",
		"amount": amount,
		"paid_at": dt.datetime.now().isoformat(timespec="seconds"),
	}


@pytest.fixture(scope="module")
def alice(staff, guest, sms, gateway, product):
	ident = borrower_with_old_loan(staff, guest, sms, product)
	staff["finance"].method(S + "penalize", loan=ident["loan"], amount=25000, reason="Transfer ditolak")
	return ident


def test_payoff_paid_through_the_virtual_account_settles_the_loan_once(admin, staff, alice, gateway):
	me, loan = alice["api"], alice["loan"]
	quote = me.method(P + "payoff_quote", verb="GET", loan=loan)
	staff_quote = staff["finance"].method(S + "payoff", verb="GET", loan=loan)
	assert {k: quote[k] for k in FIGURES} == {k: staff_quote[k] for k in FIGURES}
	money = {k: Decimal(quote[k]) for k in FIGURES if k != "as_of"}
	assert money["principal"] == 12_000_000 and money["penalty"] == 25000
	assert money["early_settlement_fee"] == 240_000  # 2% of the outstanding principal
	assert money["interest"] > 0 and money["waived_interest"] > 0
	assert money["total"] == sum(
		money[k] for k in ("principal", "interest", "penalty", "early_settlement_fee")
	)
	# the plain outstanding collects every installment's interest: the payoff waives the later periods' and
	# adds the fee
	assert Decimal(quote["outstanding"]) == outstanding(staff, loan)
	assert (
		Decimal(quote["outstanding"]) - money["total"]
		== money["waived_interest"] - money["early_settlement_fee"]
	)
	assert quote["valid_until"] == f"{quote['as_of']} 23:59:59"

	# a stale quote, an altered total, a missing date: refused, nothing opened
	yesterday = str(dt.date.fromisoformat(quote["as_of"]) - dt.timedelta(days=1))
	r = me.method(P + "request_settlement", expect=409, loan=loan, amount=quote["total"], as_of=yesterday)
	assert r.json()["code"] == "QUOTE_EXPIRED"
	r = me.method(
		P + "request_settlement", expect=409, loan=loan, amount=int(money["total"]) - 1, as_of=quote["as_of"]
	)
	assert r.json()["code"] == "QUOTE_CHANGED"
	me.method(P + "request_settlement", expect=417, loan=loan, amount=quote["total"])
	me.method(P + "request_settlement", expect=417, loan=loan, amount="12.5", as_of=quote["as_of"])
	assert gateway.fake.received("POST", "/virtual-accounts") == []

	req = me.method(P + "request_settlement", loan=loan, amount=quote["total"], as_of=quote["as_of"])
	assert (req["purpose"], req["status"], req["amount"]) == ("Early Settlement", "Pending", quote["total"])
	assert {k: req["quote"][k] for k in FIGURES} == {k: quote[k] for k in FIGURES}
	assert req["expires_on"] <= quote["valid_until"]
	again = me.method(P + "request_settlement", loan=loan, amount=quote["total"], as_of=quote["as_of"])
	assert again["payment_request"] == req["payment_request"]
	opened = [
		s
		for s in gateway.fake.received("POST", "/virtual-accounts")
		if s.json["external_id"] == req["payment_request"]
	]
	assert len(opened) == 1 and opened[0].json["amount"] == int(money["total"])

	reference = admin.get("Loan Payment Request", req["payment_request"])["gateway_reference"]
	body = paid(reference, req["payment_request"], int(money["total"]))
	answers = []
	threads = [threading.Thread(target=lambda: answers.append(deliver(body))) for _ in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	assert [a.status_code for a in answers] == [200, 200], [a.text[:500] for a in answers]
	results = [a.json()["message"] for a in answers]
	assert results[0] == results[1] and results[0]["loan_settlement"]
	assert results[0]["amount_posted"] == quote["total"] and results[0]["excess_amount"] == "0"
	retry = deliver(body)
	assert retry.status_code == 200 and retry.json()["message"] == results[0]
	other = deliver({**body, "transaction_id": f"TRX-{uuid.uuid4().hex[:10]}"})
	assert other.status_code == 409, other.text

	settlement = staff["finance"].get("Loan Settlement", results[0]["loan_settlement"])
	assert settlement["docstatus"] == 1 and settlement["settled_by"] == "Member"
	assert settlement["reference_no"] == body["transaction_id"]
	assert Decimal(str(settlement["total_amount"])) == money["total"]
	assert Decimal(str(settlement["waived_interest"])) == money["waived_interest"]
	posted = payments_of(admin, loan)
	assert [(p["payment_method"], Decimal(str(p["amount"]))) for p in posted] == [
		("Payment Gateway", money["total"])
	]
	assert posted[0]["name"] == results[0]["loan_payment"] == settlement["loan_payment"]
	assert staff["finance"].get("Loan", loan)["status"] == "Closed"
	assert outstanding(staff, loan) == 0

	status = me.method(P + "payment_status", verb="GET", payment_request=req["payment_request"])
	assert (status["status"], status["loan_settlement"]) == ("Paid", settlement["name"])
	me.method(P + "payoff_quote", expect=417, verb="GET", loan=loan)  # Closed: nothing to settle


def test_paying_the_plain_outstanding_collects_the_future_interest(
	admin, staff, guest, sms, gateway, product
):
	bob = borrower_with_old_loan(staff, guest, sms, product)
	quote = bob["api"].method(P + "payoff_quote", verb="GET", loan=bob["loan"])
	owed = Decimal(quote["outstanding"])
	req = bob["api"].method(P + "request_payment", loan=bob["loan"], amount=int(owed))
	assert req["purpose"] == "Installment" and "quote" not in req
	reference = admin.get("Loan Payment Request", req["payment_request"])["gateway_reference"]
	r = deliver(paid(reference, req["payment_request"], int(owed)))
	assert r.status_code == 200, r.text
	assert r.json()["message"]["loan_settlement"] is None
	assert staff["finance"].get("Loan", bob["loan"])["status"] == "Closed"
	collected = sum(Decimal(str(p["amount"])) for p in payments_of(admin, bob["loan"]))
	assert collected == owed
	assert collected - Decimal(quote["total"]) == Decimal(quote["waived_interest"]) - Decimal(
		quote["early_settlement_fee"]
	)
	settled = staff["finance"].list("Loan Settlement", filters=json.dumps([["loan", "=", bob["loan"]]]))
	assert settled == []


def test_less_than_the_payoff_is_an_ordinary_payment_flagged_for_review(
	admin, staff, guest, sms, gateway, product
):
	carol = borrower_with_old_loan(staff, guest, sms, product)
	quote = carol["api"].method(P + "payoff_quote", verb="GET", loan=carol["loan"])
	req = carol["api"].method(
		P + "request_settlement", loan=carol["loan"], amount=quote["total"], as_of=quote["as_of"]
	)
	reference = admin.get("Loan Payment Request", req["payment_request"])["gateway_reference"]
	short = int(Decimal(quote["total"])) - 100_000
	r = deliver(paid(reference, req["payment_request"], short))
	assert r.status_code == 200, r.text
	result = r.json()["message"]
	assert result["loan_settlement"] is None and result["amount_posted"] == str(short)
	doc = admin.get("Loan Payment Request", req["payment_request"])
	assert doc["status"] == "Paid" and doc["needs_review"] == 1
	assert "less than the payoff" in doc["review_note"]
	assert staff["finance"].get("Loan", carol["loan"])["status"] != "Closed"
	assert outstanding(staff, carol["loan"]) == Decimal(quote["outstanding"]) - short


def test_another_borrower_can_neither_quote_nor_settle(alice, guest, sms, gateway):
	other = bearer(registered(guest, sms)["tokens"]["access_token"])
	# another's loan answers as a loan that does not exist (same status, same message)
	messages = set()
	for loan in (alice["loan"], "LN-NOPE-00000"):
		answers = [
			other.method(P + "payoff_quote", expect=404, verb="GET", loan=loan),
			other.method(
				P + "request_settlement", expect=404, loan=loan, amount=1000, as_of=str(dt.date.today())
			),
		]
		for r in answers:
			message = json.loads(json.loads(r.json()["_server_messages"])[0])["message"]
			messages.add(message.replace(loan, "X"))
	assert len(messages) == 1, messages
	guest.method(P + "payoff_quote", expect=403, verb="GET", loan=alice["loan"])
