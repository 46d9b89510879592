"""The ledger over HTTP: each money endpoint posts exactly one balanced journal (a reversal its mirror), the
period lock refuses a back-dated payment with a 4xx and moves nothing, and no one (Finance, Koperasi Admin,
Administrator) creates, edits or deletes a Ledger Entry through /api/resource or frappe.client.*."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from conftest import book_loan, insert_product

TODAY = dt.date.today()
S = "pinjaman_online.api.servicing"


@pytest.fixture(scope="module")
def product(staff):
	return insert_product(staff["admin"], "Ledger HTTP", early_settlement_penalty=2)


@pytest.fixture
def loan(staff, product):
	disbursed = TODAY - dt.timedelta(days=40)
	return book_loan(staff, product, 12_000_000, 12, disbursed + dt.timedelta(days=30), disbursed)


def entries(api, **filters) -> list[dict]:
	return api.list(
		"Ledger Entry",
		filters=json.dumps([[k, "=", v] for k, v in filters.items()]),
		fields=json.dumps(
			["name", "journal_no", "account", "debit", "credit", "event", "is_reversal", "reversal_of"]
		),
		limit_page_length=0,
	)


def journals(api, voucher_type: str, voucher_no: str) -> dict[str, list[dict]]:
	out = {}
	for row in entries(api, voucher_type=voucher_type, voucher_no=voucher_no):
		out.setdefault(row["journal_no"], []).append(row)
	return out


def balanced(rows) -> Decimal:
	debit = sum(Decimal(str(r["debit"])) for r in rows)
	assert debit == sum(Decimal(str(r["credit"])) for r in rows), rows
	assert all(bool(r["debit"]) != bool(r["credit"]) for r in rows), rows
	return debit


def net_by_account(rows) -> dict:
	out = {}
	for r in rows:
		out[r["account"]] = (
			out.get(r["account"], Decimal(0)) + Decimal(str(r["debit"])) - Decimal(str(r["credit"]))
		)
	return {k: v for k, v in out.items() if v}


def test_every_money_endpoint_posts_exactly_one_balanced_journal(staff, loan):
	finance = staff["finance"]
	disbursement = finance.list("Loan Disbursement", filters=json.dumps([["loan", "=", loan]]))[0]["name"]
	posted = journals(finance, "Loan Disbursement", disbursement)
	assert len(posted) == 1
	assert balanced(next(iter(posted.values()))) == 12_000_000

	payment = finance.method(f"{S}.pay", loan=loan, amount=1_500_000, payment_method="Bank Transfer")["name"]
	posted = journals(finance, "Loan Payment", payment)
	assert len(posted) == 1
	assert balanced(next(iter(posted.values()))) == 1_500_000

	penalty = finance.method(f"{S}.penalize", loan=loan, amount=25_000, reason="late")["name"]
	assert journals(finance, "Loan Penalty", penalty) == {}  # cash basis: income when paid

	finance.method(f"{S}.reverse_payment", loan_payment=payment, reason="posted on the wrong loan")
	posted = journals(finance, "Loan Payment", payment)
	assert len(posted) == 2
	reversal = [rows for rows in posted.values() if rows[0]["is_reversal"]]
	assert len(reversal) == 1 and reversal[0][0]["reversal_of"] in posted
	assert net_by_account([r for rows in posted.values() for r in rows]) == {}

	settled = finance.method(f"{S}.settle", loan=loan)
	posted = journals(finance, "Loan Payment", settled["loan_payment"])
	assert len(posted) == 1
	rows = next(iter(posted.values()))
	assert {r["event"] for r in rows} == {"Settlement"}
	assert balanced(rows) == Decimal(str(settled["total_amount"]))
	# what the loan owes in principal is back to zero in the ledger
	principal_account = "1131"
	assert not net_by_account(entries(finance, loan=loan)).get(principal_account)


def test_a_closed_period_refuses_a_back_dated_payment(staff, loan):
	"""Closing last month (Accounting Period Close) refuses a payment dated in it with a 4xx, posts neither
	payment nor journal; today stays open. The month is reopened afterwards (Koperasi Admin)."""
	finance = staff["finance"]
	last_month_end = TODAY.replace(day=1) - dt.timedelta(days=1)
	current = finance.get("Accounting Settings", "Accounting Settings").get("books_closed_until")
	close = None
	if not current or current < str(last_month_end):
		close = finance.insert(
			"Accounting Period Close", {"period": f"{last_month_end:%Y-%m}", "docstatus": 1}
		)
	try:
		r = finance.call(
			"POST",
			f"/api/method/{S}.pay",
			None,
			json={
				"loan": loan,
				"amount": 300_000,
				"payment_method": "Bank Transfer",
				"posting_date": str(last_month_end),
			},
		)
		assert 400 <= r.status_code < 500, r.text
		assert "closed" in r.text.lower()
		assert (
			finance.list("Loan Payment", filters=json.dumps([["loan", "=", loan], ["docstatus", "=", 1]]))
			== []
		)
		assert entries(finance, loan=loan, voucher_type="Loan Payment") == []
		paid = finance.method(f"{S}.pay", loan=loan, amount=300_000, payment_method="Bank Transfer")
		assert len(journals(finance, "Loan Payment", paid["name"])) == 1
	finally:
		if close:
			staff["admin"].method(
				"frappe.client.cancel", doctype="Accounting Period Close", name=close["name"]
			)


def test_nobody_writes_a_ledger_entry_through_any_door(staff, admin, loan):
	entry = entries(staff["finance"], loan=loan)[0]
	name = entry["name"]
	fake = {"journal_no": "JR-FAKE", "account": "1112", "debit": 1, "credit": 0, "posting_date": str(TODAY)}
	for api in (staff["finance"], staff["admin"], admin):
		assert api.call("POST", "/api/resource/Ledger Entry", None, json=fake).status_code in (403, 417)
		assert api.call("PUT", f"/api/resource/Ledger Entry/{name}", None, json={"debit": 9}).status_code in (
			403,
			417,
		)
		assert api.call("DELETE", f"/api/resource/Ledger Entry/{name}", None).status_code in (403, 417)
		for method, body in (
			("frappe.client.insert", {"doc": {"doctype": "Ledger Entry", **fake}}),
			(
				"frappe.client.set_value",
				{"doctype": "Ledger Entry", "name": name, "fieldname": "debit", "value": 9},
			),
			("frappe.client.delete", {"doctype": "Ledger Entry", "name": name}),
			("frappe.client.save", {"doc": {**entry, "doctype": "Ledger Entry", "debit": 9}}),
		):
			r = api.call("POST", f"/api/method/{method}", None, json=body)
			assert r.status_code in (403, 417), f"{method} as {api.user}: {r.status_code} {r.text[:300]}"
		api.call(
			"POST",
			"/api/method/frappe.client.bulk_update",
			None,
			json={"docs": json.dumps([{"doctype": "Ledger Entry", "docname": name, "debit": 9}])},
		)
	after = staff["finance"].get("Ledger Entry", name)
	assert (after["debit"], after["credit"], after["account"]) == (
		entry["debit"],
		entry["credit"],
		entry["account"],
	)
	assert not staff["finance"].list("Ledger Entry", filters=json.dumps([["journal_no", "=", "JR-FAKE"]]))
