"""Money endpoints as a retrying or hostile client uses them, over HTTP against the served site:
Idempotency-Key (a retry answers the first result, another body with the same key is refused, concurrent
duplicates post once, keys are per user), a reference number once per channel (also through /api/resource
and when two arrive at once), whole Rupiah on every door, the loan's last payment date after a reversal, and
an early settlement's payment holding everything collected, its fee as its own part."""

import datetime as dt
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from conftest import URL, book_loan, cli, insert_product

TODAY = dt.date.today()
SERVICING = "/api/method/pinjaman_online.api.servicing."


@pytest.fixture(scope="module")
def product(staff):
	return insert_product(staff["admin"], "Money HTTP", early_settlement_penalty=2)


@pytest.fixture(scope="module")
def loan(staff, product):
	"""A loan disbursed 70 days ago, its first installment due 40 days ago."""
	return book_loan(
		staff,
		product,
		12_000_000,
		12,
		TODAY - dt.timedelta(days=40),
		disbursement_date=TODAY - dt.timedelta(days=70),
	)


def post(api, method: str, key: str | None = None, **data):
	headers = {"Idempotency-Key": key} if key is not None else {}
	return api.s.post(URL + SERVICING + method, json=data, headers=headers, timeout=120)


def payments_of(api, loan: str, **filters) -> list[dict]:
	return api.list(
		"Loan Payment",
		filters=json.dumps([["loan", "=", loan], *[[k, "=", v] for k, v in filters.items()]]),
		fields='["name","amount","docstatus","reference_no","posting_date","fee_amount"]',
		limit_page_length=500,
	)


def message(r) -> str:
	return " ".join(json.loads(m)["message"] for m in json.loads(r.json().get("_server_messages") or "[]"))


def test_a_retry_with_the_same_key_answers_the_first_result_and_posts_once(staff, make_user, loan):
	finance = staff["finance"]
	key = uuid.uuid4().hex
	first = post(finance, "pay", key, loan=loan, amount=150_000, reference_no=f"TRF-{key[:8]}")
	assert first.status_code == 200, first.text
	for _ in range(2):
		again = post(finance, "pay", key, loan=loan, amount=150_000, reference_no=f"TRF-{key[:8]}")
		assert again.status_code == 200, again.text
		assert again.json() == first.json()
	assert [p["name"] for p in payments_of(finance, loan, reference_no=f"TRF-{key[:8]}")] == [
		first.json()["message"]["name"]
	]

	# the same key with another body (amount, loan or endpoint) is refused and posts nothing
	other = post(finance, "pay", key, loan=loan, amount=150_001, reference_no=f"TRF-{key[:8]}")
	assert other.status_code == 422, other.text
	assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
	assert "Idempotency-Key" in message(other)
	elsewhere = post(finance, "penalize", key, loan=loan, amount=150_000, reason="x")
	assert elsewhere.status_code == 422
	assert len(payments_of(finance, loan, reference_no=f"TRF-{key[:8]}")) == 1

	# keys are per user: another Finance user's identical key is a new request of theirs
	colleague = make_user("finance2", "Finance")
	mine = post(colleague, "pay", key, loan=loan, amount=160_000, reference_no=f"TRF2-{key[:8]}")
	assert mine.status_code == 200, mine.text
	assert mine.json()["message"]["name"] != first.json()["message"]["name"]

	# a key that is not one is refused before anything runs
	assert post(finance, "pay", "x" * 300, loan=loan, amount=1000).status_code == 400
	assert post(finance, "pay", "kunci-\u00e9", loan=loan, amount=1000).status_code == 400


def test_keys_are_kept_for_the_configured_time_then_purged(staff, admin, loan):
	finance = staff["finance"]
	settings = "/api/resource/Pinjaman Online Settings/Pinjaman Online Settings"
	admin.call("PUT", settings, json={"idempotency_key_hours": 0})
	try:
		key = uuid.uuid4().hex
		first = post(finance, "pay", key, loan=loan, amount=10_000)
		# kept for 0 hours: the key has expired, so another body with it is a new request
		second = post(finance, "pay", key, loan=loan, amount=20_000)
		assert first.status_code == second.status_code == 200, second.text
		assert first.json()["message"]["name"] != second.json()["message"]["name"]
	finally:
		admin.call("PUT", settings, json={"idempotency_key_hours": 24})
	assert cli("pinjaman_online.api.idempotency.purge_expired") >= 1
	# kept again: a retry within the time replays
	key = uuid.uuid4().hex
	first = post(finance, "pay", key, loan=loan, amount=10_000)
	assert post(finance, "pay", key, loan=loan, amount=10_000).json() == first.json()


def test_concurrent_duplicates_post_once(staff, loan):
	finance = staff["finance"]
	key, reference = uuid.uuid4().hex, f"TRF-C-{uuid.uuid4().hex[:8]}"
	before = len(payments_of(finance, loan))

	def send(_):
		return post(finance, "pay", key, loan=loan, amount=100_000, reference_no=reference)

	with ThreadPoolExecutor(max_workers=6) as pool:
		answers = list(pool.map(send, range(6)))
	assert {r.status_code for r in answers} == {200}, [r.text[:300] for r in answers]
	assert len({json.dumps(r.json(), sort_keys=True) for r in answers}) == 1
	assert len(payments_of(finance, loan)) == before + 1

	# without a key, the reference is what stops a duplicate: one posts, the rest get 409
	reference = f"TRF-D-{uuid.uuid4().hex[:8]}"

	def send_plain(_):
		return post(finance, "pay", loan=loan, amount=100_000, reference_no=reference)

	with ThreadPoolExecutor(max_workers=6) as pool:
		answers = list(pool.map(send_plain, range(6)))
	codes = sorted(r.status_code for r in answers)
	assert codes == [200, 409, 409, 409, 409, 409], [r.text[:300] for r in answers]
	assert len(payments_of(finance, loan, reference_no=reference, docstatus=1)) == 1


def test_a_reference_is_used_once_per_channel(staff, loan):
	finance = staff["finance"]
	reference = f"TRF-U-{uuid.uuid4().hex[:8]}"
	first = post(finance, "pay", loan=loan, amount=50_000, reference_no=reference)
	assert first.status_code == 200, first.text

	again = post(finance, "pay", loan=loan, amount=60_000, reference_no=f"  {reference.lower()} ")
	assert again.status_code == 409, again.text
	assert again.json()["code"] == "DUPLICATE_REFERENCE"
	assert reference.lower() in message(again).lower()
	assert first.json()["message"]["name"] in message(again)

	# the same through /api/resource, as a draft or submitted
	for docstatus in (0, 1):
		r = finance.insert(
			"Loan Payment",
			{
				"loan": loan,
				"amount": 60_000,
				"payment_method": "Bank Transfer",
				"reference_no": reference,
				"docstatus": docstatus,
			},
			expect=409,
		)
		assert "DUPLICATE_REFERENCE" in r.text

	# another channel may carry the same reference
	cash = post(finance, "pay", loan=loan, amount=50_000, reference_no=reference, payment_method="Cash")
	assert cash.status_code == 200, cash.text

	# once reversed, the reference is free again (the reversed payment stays on record, cancelled)
	for name in (cash.json()["message"]["name"], first.json()["message"]["name"]):
		r = post(finance, "reverse_payment", loan_payment=name, reason="Posted on the wrong loan")
		assert r.status_code == 200, r.text
	again = post(finance, "pay", loan=loan, amount=60_000, reference_no=reference)
	assert again.status_code == 200, again.text


@pytest.mark.parametrize("amount", [1000.123, "1000.123", 1000.5, "0.5"])
def test_a_fraction_of_a_rupiah_is_refused_on_every_door(staff, loan, amount):
	finance = staff["finance"]
	before = len(payments_of(finance, loan))
	for docstatus in (0, 1):
		r = finance.insert(
			"Loan Payment",
			{"loan": loan, "amount": amount, "payment_method": "Cash", "docstatus": docstatus},
			expect=417,
		)
		assert r.json()["code"] == "MONEY_NOT_WHOLE_RUPIAH", r.text
	assert post(finance, "pay", loan=loan, amount=amount).status_code == 417
	r = finance.insert(
		"Loan Penalty",
		{"loan": loan, "amount": amount, "reason": "Bounced transfer", "posting_date": str(TODAY)},
		expect=417,
	)
	assert r.json()["code"] == "MONEY_NOT_WHOLE_RUPIAH"
	assert post(finance, "penalize", loan=loan, amount=amount, reason="x").status_code == 417
	assert len(payments_of(finance, loan)) == before


def test_fractions_refused_on_refunds_and_applications(staff, loan, product):
	member = staff["finance"].get("Loan", loan)["member"]
	r = staff["finance"].insert(
		"Refund Request", {"member": member, "loan": loan, "amount": 1000.5, "reason": "Over"}, expect=417
	)
	assert r.json()["code"] == "MONEY_NOT_WHOLE_RUPIAH"
	staff["finance"].insert(
		"Refund Request", {"member": member, "loan": loan, "amount": 1000, "reason": "Over"}
	)
	r = staff["sales"].insert(
		"Loan Application",
		{
			"member": member,
			"loan_product": product,
			"principal": 5_000_000.5,
			"tenor_months": 12,
			"first_due_date": str(TODAY + dt.timedelta(days=30)),
		},
		expect=417,
	)
	assert r.json()["code"] == "MONEY_NOT_WHOLE_RUPIAH", r.text


def test_a_product_may_ask_for_amounts_in_its_rounding_unit(staff):
	product = insert_product(staff["admin"], "Money Unit HTTP", amounts_in_rounding_unit=1)
	finance = staff["finance"]
	loan = book_loan(
		staff, product, 6_000_000, 6, TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=30)
	)
	r = post(finance, "pay", loan=loan, amount=150_050)
	assert r.status_code == 417 and r.json()["code"] == "MONEY_NOT_IN_UNIT", r.text
	assert "100" in message(r)
	r = finance.insert(
		"Loan Payment", {"loan": loan, "amount": 150_050, "payment_method": "Cash"}, expect=417
	)
	assert r.json()["code"] == "MONEY_NOT_IN_UNIT"
	assert post(finance, "penalize", loan=loan, amount=25_050, reason="x").status_code == 417
	assert post(finance, "pay", loan=loan, amount=150_000).status_code == 200
	assert post(finance, "penalize", loan=loan, amount=25_000, reason="Bounced transfer").status_code == 200


def test_the_products_allocation_order_is_the_payments(staff):
	product = insert_product(
		staff["admin"], "Money Order HTTP", allocation_order="Interest, Principal, Penalty (oldest first)"
	)
	finance = staff["finance"]
	loan = book_loan(
		staff, product, 6_000_000, 6, TODAY - dt.timedelta(days=5), TODAY - dt.timedelta(days=30)
	)
	first = finance.method("pinjaman_online.api.servicing.schedule", verb="GET", loan=loan)[0]
	assert post(finance, "penalize", loan=loan, amount=25_000, reason="Late").status_code == 200
	due = Decimal(str(first["interest_amount"])) + Decimal(str(first["principal_amount"]))
	paid = post(finance, "pay", loan=loan, amount=int(due))
	assert paid.status_code == 200, paid.text
	# interest and principal first: the penalty of the same installment is still owed
	(line,) = paid.json()["message"]["allocations"]
	assert Decimal(str(line["penalty"])) == 0
	assert Decimal(str(line["interest"])) + Decimal(str(line["principal"])) == due
	assert Decimal(str(paid.json()["message"]["outstanding"]["penalty"])) == 25_000


def test_reversal_restores_the_last_payment_date(staff, product):
	finance = staff["finance"]
	loan = book_loan(
		staff,
		product,
		6_000_000,
		6,
		TODAY - dt.timedelta(days=10),
		disbursement_date=TODAY - dt.timedelta(days=40),
	)
	assert finance.get("Loan", loan).get("last_payment_date") is None
	early, late = str(TODAY - dt.timedelta(days=20)), str(TODAY - dt.timedelta(days=5))
	first = post(finance, "pay", loan=loan, amount=100_000, posting_date=early)
	second = post(finance, "pay", loan=loan, amount=100_000, posting_date=late)
	assert first.status_code == second.status_code == 200, (first.text, second.text)
	assert finance.get("Loan", loan)["last_payment_date"] == late

	r = post(finance, "reverse_payment", loan_payment=second.json()["message"]["name"], reason="Wrong")
	assert r.status_code == 200, r.text
	assert finance.get("Loan", loan)["last_payment_date"] == early

	# a retried reversal with its key answers the first result (without one it would be refused)
	key = uuid.uuid4().hex
	body = {"loan_payment": first.json()["message"]["name"], "reason": "Wrong"}
	r1, r2 = post(finance, "reverse_payment", key, **body), post(finance, "reverse_payment", key, **body)
	assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json()
	assert finance.get("Loan", loan).get("last_payment_date") is None
	assert post(finance, "reverse_payment", **body).status_code == 417


def test_settlement_payment_holds_everything_collected_with_the_fee_as_its_own_part(staff, product):
	finance = staff["finance"]
	loan = book_loan(
		staff,
		product,
		10_000_000,
		12,
		TODAY - dt.timedelta(days=5),
		disbursement_date=TODAY - dt.timedelta(days=35),
	)
	quote = finance.method("pinjaman_online.api.servicing.payoff", verb="GET", loan=loan)
	assert Decimal(quote["early_settlement_fee"]) == 200_000  # 2 % of the outstanding principal
	key = uuid.uuid4().hex
	settled = post(finance, "settle", key, loan=loan, reference_no=f"TRF-S-{key[:8]}")
	assert settled.status_code == 200, settled.text
	assert post(finance, "settle", key, loan=loan, reference_no=f"TRF-S-{key[:8]}").json() == settled.json()
	result = settled.json()["message"]
	assert result["loan_status"] == "Closed"
	payment = finance.get("Loan Payment", result["loan_payment"])
	assert Decimal(str(payment["amount"])) == Decimal(quote["total"])
	assert Decimal(str(payment["fee_amount"])) == Decimal(quote["early_settlement_fee"])
	parts = sum(Decimal(str(payment[f])) for f in ("total_principal", "total_interest", "total_penalty"))
	assert parts + Decimal(str(payment["fee_amount"])) == Decimal(str(payment["amount"]))
	assert Decimal(str(payment["total_principal"])) == Decimal(quote["principal"])


def test_a_client_cannot_give_a_payment_a_fee_part(staff, loan):
	draft = staff["finance"].insert(
		"Loan Payment", {"loan": loan, "amount": 1000, "fee_amount": 500, "payment_method": "Cash"}
	)
	assert not draft.get("fee_amount")  # a system-set field: reset on a new record


# ------------------------------------------------------------------ pension deduction: arrears billed again

BILLING = "pinjaman_online.api.billing"


def next_period(period: str) -> str:
	year, month = map(int, period.split("-"))
	return f"{year + month // 12}-{month % 12 + 1:02d}"


def lines_of(api, export: str, loan: str) -> list[tuple[int, Decimal]]:
	detail = api.method(f"{BILLING}.get_export", verb="GET", name=export, limit=1000)
	return [(r["installment_number"], Decimal(r["amount"])) for r in detail["lines"] if r["loan"] == loan]


def realise(api, export: dict, loan: str, amount: str) -> dict:
	"""Import the fund's answer to ``export``: ``amount`` (the file's format, e.g. ``700.000``) deducted from
	``loan``'s member; wait for the matching job."""
	import time

	r = api.call("GET", export["file"])
	rows = [row.split(";") for row in r.content.decode("utf-8").splitlines()]
	header = ["NOMINAL_POTONGAN" if h == "NOMINAL_TAGIHAN" else h for h in rows[0]]
	mine = [row for row in rows[1:] if row[4] == loan]
	line = [*mine[0][:7], amount, ""]  # one deduction per member, not tied to one line
	content = ("\r\n".join([";".join(header), ";".join(line)]) + "\r\n").encode()
	answer = api.call(
		"POST",
		f"/api/method/{BILLING}.import_realisation",
		data={"period": export["period"], "pension_fund": "Taspen"},
		files={"file": (f"realisasi-{uuid.uuid4().hex[:6]}.csv", content, "text/csv")},
	).json()["message"]
	for _ in range(360):
		imp = api.method(f"{BILLING}.get_import", verb="GET", name=answer["name"], limit=100)
		if imp["status"] in ("Reconciled", "Failed"):
			return imp
		time.sleep(0.5)
	raise AssertionError(f"import {answer['name']} not reconciled: {imp['status']}")


def test_pension_deduction_arrears_are_billed_again_and_paid_oldest_first(staff):
	finance = staff["finance"]
	period = cli("pinjaman_online.tests.factories.free_period", 2)
	(loan,) = cli("pinjaman_online.tests.factories.make_billable_loans_fast", period, 1)
	first = finance.method(f"{BILLING}.export", period=period, pension_fund="Taspen")
	assert lines_of(finance, first["name"], loan) == [(1, Decimal(1_180_000))]

	# a short deduction: 700.000 of 1.180.000 (interest 180.000 first, then 520.000 of principal)
	imp = realise(finance, first, loan, "700.000")
	assert imp["status"] == "Reconciled" and imp["short_count"] == 1, imp

	# next month's instruction bills the arrear again, before the month's own installment
	second = finance.method(f"{BILLING}.export", period=next_period(period), pension_fund="Taspen")
	assert lines_of(finance, second["name"], loan) == [(1, Decimal(480_000)), (2, Decimal(1_180_000))]

	# the whole bill deducted: both lines realised and both installments paid
	imp = realise(finance, second, loan, "1.660.000")
	assert imp["status"] == "Reconciled" and imp["matched_count"] == 1, imp
	detail = finance.method(f"{BILLING}.get_export", verb="GET", name=second["name"], limit=1000)
	assert {r["installment_number"]: r["status"] for r in detail["lines"] if r["loan"] == loan} == {
		1: "Realised",
		2: "Realised",
	}
	statuses = finance.list(
		"Loan Installment",
		filters=json.dumps([["loan", "=", loan], ["installment_number", "<=", 2]]),
		fields='["installment_number","status"]',
		order_by="installment_number asc",
	)
	assert [r["status"] for r in statuses] == ["Paid", "Paid"]


def test_an_arrear_waiting_for_its_answer_is_not_billed_twice(staff):
	finance = staff["finance"]
	period = cli("pinjaman_online.tests.factories.free_period", 2)
	(loan,) = cli("pinjaman_online.tests.factories.make_billable_loans_fast", period, 1)
	finance.method(f"{BILLING}.export", period=period, pension_fund="Taspen")
	# no realisation imported for the first month yet: its installment is not instructed again
	second = finance.method(f"{BILLING}.export", period=next_period(period), pension_fund="Taspen")
	assert lines_of(finance, second["name"], loan) == [(2, Decimal(1_180_000))]
