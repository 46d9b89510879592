"""Audit Trail report over HTTP (Tier 2): a Loan's trail lists what moved its money, with labels, document
states and child-row contents, for the auditor; the report is refused to a role without it."""

import datetime as dt
import json
import uuid

import pytest
from conftest import book_loan

RUN = "frappe.desk.query_report.run"
TODAY = dt.date.today()


def first_of_next_month(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture(scope="module")
def paid_loan(staff):
	product = staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Audit HTTP {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
		},
	)["name"]
	loan = book_loan(staff, product, 12_000_000, 12, first_of_next_month(TODAY))
	staff["finance"].method("pinjaman_online.api.servicing.pay", loan=loan, amount=500_000)
	return loan


def trail(api, **filters) -> list[dict]:
	return api.method(RUN, verb="GET", report_name="Audit Trail", filters=json.dumps(filters))["result"]


def test_loan_trail_shows_what_moved_its_money(make_user, paid_loan):
	auditor = make_user("audit", "Auditor")
	rows = trail(auditor, reference_doctype="Loan", reference_name=paid_loan)
	kinds = {(r["ref_doctype"], r["field"]) for r in rows}
	assert ("Loan Disbursement", "Created") in kinds
	assert ("Loan Payment", "Created") in kinds
	assert ("Loan Application", "Created") in kinds
	submitted = [r for r in rows if r["field"] == "Document Status" and r["ref_doctype"] == "Loan Payment"]
	assert submitted and submitted[0]["old_value"] == "Draft" and submitted[0]["new_value"] == "Submitted"
	assert not [r for r in rows if r["field"] == "docstatus" or r["new_value"] in ("0", "1", "2")]
	# a child row by its contents, not "row added"
	allocation = [r for r in rows if r["ref_doctype"] == "Loan Payment" and "row added" in r["field"]]
	assert allocation and "Principal" in allocation[0]["new_value"], allocation
	# only the loan itself when linked documents are left out
	alone = trail(auditor, reference_doctype="Loan", reference_name=paid_loan, include_related=0)
	assert {r["docname"] for r in alone} <= {paid_loan}


def test_trail_refused_without_the_report(staff, paid_loan):
	staff["sales"].method(
		RUN,
		verb="GET",
		expect=403,
		report_name="Audit Trail",
		filters=json.dumps({"reference_doctype": "Loan", "reference_name": paid_loan}),
	)
