"""Loan servicing over HTTP: the daily run on the RQ worker (twice), default after 90 days,
early settlement, payment reversal, manual penalty, restructure approval, and the reports over REST."""

import datetime as dt
import json
import time
import uuid
from decimal import Decimal

import pytest
from conftest import book_loan

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def product(staff):
	admin = staff["admin"]
	rule = admin.insert(
		"Penalty Rule",
		{"rule_name": f"HTTP {uuid.uuid4().hex[:6]}", "grace_days": 5, "daily_rate": 0.1, "cap_percent": 50},
	)
	return admin.insert(
		"Loan Product",
		{
			"product_name": f"Servicing HTTP {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"penalty_rule": rule["name"],
			"early_settlement_penalty": 2,
		},
	)["name"]


def start_run(admin) -> dict:
	"""Enqueue the daily run; a run of the same day still finishing on the worker makes the endpoint answer
	queued=False (the job is deduplicated), so ask again until the new run is queued."""
	for _ in range(240):
		started = admin.method("pinjaman_online.api.servicing.run_daily_servicing")
		if started.get("queued"):
			return started
		time.sleep(0.5)
	raise AssertionError("the daily servicing job could not be queued: the previous run never finished")


def wait_for_run(admin, previous_runs: int) -> dict:
	for _ in range(480):  # up to 4 minutes: the long queue may be busy
		runs = admin.list(
			"Servicing Run",
			fields='["name","status","runs","loans_defaulted","penalties_accrued"]',
			order_by="run_date desc",
			limit_page_length=1,
		)
		if runs and runs[0]["status"] == "Completed" and runs[0]["runs"] > previous_runs:
			return runs[0]
		time.sleep(0.5)
	raise AssertionError("the daily servicing job did not finish on the worker")


def installments(api, loan):
	return api.list(
		"Loan Installment",
		filters=json.dumps([["loan", "=", loan]]),
		order_by="installment_number asc",
		fields='["installment_number","status","penalty_amount","outstanding_amount","interest_amount"]',
		limit_page_length=500,
	)


def test_daily_run_twice_and_default_after_90_days(staff, product):
	admin, finance = staff["admin"], staff["finance"]
	first_due = TODAY - dt.timedelta(days=95)
	late = book_loan(
		staff, product, 12_000_000, 12, first_due, disbursement_date=first_due - dt.timedelta(days=30)
	)
	staff["sales"].method("pinjaman_online.api.servicing.run_daily_servicing", expect=403)

	existing = admin.list("Servicing Run", fields='["runs"]', order_by="run_date desc", limit_page_length=1)
	before = existing[0]["runs"] if existing else 0
	start_run(admin)
	first = wait_for_run(admin, before)
	loan = finance.get("Loan", late)
	assert loan["status"] == "Default" and loan["days_past_due"] > 90 and loan["collectibility"] == 3
	penalties = installments(finance, late)
	assert penalties[0]["penalty_amount"] > 0

	start_run(admin)
	second = wait_for_run(admin, first["runs"])
	assert (second["loans_defaulted"], Decimal(str(second["penalties_accrued"]))) == (0, 0)
	assert installments(finance, late) == penalties

	aging = admin.method("frappe.desk.query_report.run", verb="GET", report_name="Aging Report", filters="{}")
	over_90 = next(r for r in aging["result"] if r["bucket"] == ">90")
	assert over_90["loans"] >= 1
	quality = admin.method(
		"frappe.desk.query_report.run", verb="GET", report_name="Loan Quality", filters="{}"
	)
	assert any(s["label"] == "NPL ratio" for s in quality["report_summary"])
	trail = admin.method(
		"frappe.desk.query_report.run",
		verb="GET",
		report_name="Audit Trail",
		filters=json.dumps({"ref_doctype": "Loan", "docname": late}),
	)
	assert any(
		r["field"] == "Status"
		and r["old_value"] == "Active"
		and r["new_value"] == "Default"  # labels, not fieldnames
		for r in trail["result"]
	)


def test_settlement_reversal_penalty_and_restructure(staff, product):
	finance, analyst, manager = staff["finance"], staff["analyst"], staff["manager"]
	first_due = TODAY + dt.timedelta(days=20)
	loan = book_loan(staff, product, 12_000_000, 12, first_due)

	# a wrong payment is reversed exactly; nothing is deleted
	before = installments(finance, loan)
	paid = finance.method("pinjaman_online.api.servicing.pay", loan=loan, amount=500_000)
	finance.method(
		"pinjaman_online.api.servicing.reverse_payment", loan_payment=paid["name"], reason="Wrong member"
	)
	assert installments(finance, loan) == before
	assert finance.get("Loan Payment", paid["name"])["docstatus"] == 2

	# a manual penalty with its reason
	penalty = finance.method(
		"pinjaman_online.api.servicing.penalize", loan=loan, amount=25_000, reason="Bounced transfer"
	)
	assert Decimal(penalty["outstanding"]["penalty"]) == 25_000

	# restructure: proposed by the analyst, approved by management (not by the analyst)
	proposal = analyst.method(
		"pinjaman_online.api.servicing.restructure",
		loan=loan,
		restructure_type="Payment Deferral",
		deferral_months=2,
		reason="Pension payment delayed",
		effective_date=str(TODAY),
	)
	assert proposal["workflow_state"] == "Pending Approval"
	analyst.method(
		"pinjaman_online.api.servicing.decide_restructure",
		expect=403,
		restructure=proposal["name"],
		decision="approve",
	)
	done = manager.method(
		"pinjaman_online.api.servicing.decide_restructure", restructure=proposal["name"], decision="approve"
	)
	assert done["workflow_state"] == "Approved"
	assert done["new_first_due_date"] > str(first_due)

	# early settlement: the quote is paid and the loan closes
	quote = finance.method("pinjaman_online.api.servicing.payoff", verb="GET", loan=loan)
	assert Decimal(quote["principal"]) == 12_000_000
	assert Decimal(quote["penalty"]) == 25_000
	reference = f"TRF-PAYOFF-{uuid.uuid4().hex[:8]}"  # a transfer's reference is used once per channel
	settled = finance.method("pinjaman_online.api.servicing.settle", loan=loan, reference_no=reference)
	assert settled["loan_status"] == "Closed"
	assert Decimal(str(settled["total_amount"])) == Decimal(quote["total"])
	assert all(r["status"] in ("Paid", "Cancelled") for r in installments(finance, loan))
	staff["sales"].method("pinjaman_online.api.servicing.settle", expect=403, loan=loan)
