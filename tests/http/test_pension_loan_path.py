"""The pension-loan path over HTTP, as the staff do it, each with their own token (issue: acceptance).

Sales creates the member (with documents) and the application; the Credit Analyst verifies documents and
analyses; SPV then Manager approve (the same person voting twice is refused; Sales deciding gets 403);
Finance disburses and posts a payment; the outstanding matches the lending core's schedule to the Rupiah.
"""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import nik_for, upload
from pinjaman_online.lending.allocation import InstallmentDue, allocate_payment, outstanding_of
from pinjaman_online.lending.schedule import LoanTerms, generate_schedule

PRINCIPAL = Decimal(36000000)
TENOR = 24
RATE = Decimal(18)


def next_month(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=min(d.day, 28))


@pytest.fixture(scope="module")
def product(staff):
	name = f"Pensiun HTTP {dt.datetime.now():%H%M%S%f}"
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": name,
			"product_type": "Pension Loan",
			"min_principal": 5000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": float(RATE),
			"interest_method": "Annuity",
			"rounding_unit": 100,
			"fees": [
				{"fee_type": "Admin", "basis": "Amount", "amount": 250000},
				{"fee_type": "Provisi", "basis": "Percent", "percent": 1},
			],
		},
	)


def test_whole_path(staff, product):
	sales, analyst, spv, manager, finance = (
		staff[k] for k in ("sales", "analyst", "spv", "manager", "finance")
	)
	birth = dt.date(1957, 3, 14)
	serial = int(dt.datetime.now().strftime("%M%S")) or 1
	member_doc = {
		"full_name": "Sri Wahyuni",
		"nik": nik_for(birth, serial, female=True),
		"gender": "Female",
		"birth_date": str(birth),
		"pension_fund": "Taspen",
		"pension_number": f"TSP{serial:06d}{dt.datetime.now():%f}",
		"monthly_pension_benefit": 4800000,
		"contacts": [{"contact_type": "Mobile", "value": "+6281234567890", "relation": "Self"}],
		"bank_accounts": [
			{
				"bank_name": "BRI",
				"account_number": "0123456789",
				"account_holder": "Sri Wahyuni",
				"is_default": 1,
			}
		],
	}
	# Bad input is refused with a reason a person understands, and nothing is written.
	bad = sales.insert(
		"Member", {**member_doc, "nik": member_doc["nik"][:6] + "99" + member_doc["nik"][8:]}, expect=417
	)
	assert "NIK" in bad.text
	member = sales.insert("Member", member_doc)
	dup = sales.insert("Member", {**member_doc, "pension_number": "OTHER-1"}, expect=417)
	assert "already registered" in dup.text

	docs = [
		{"document_type": t, "file": upload(sales, member["name"], f"{t}.pdf")}
		for t in ("KTP", "KK", "SK Pensiun")
	]
	member = sales.update("Member", member["name"], {"documents": docs})
	assert all(d["file"].startswith("/private/files/") for d in member["documents"])

	first_due = next_month(dt.date.today())
	app = sales.insert(
		"Loan Application",
		{
			"member": member["name"],
			"loan_product": product["name"],
			"principal": float(PRINCIPAL),
			"tenor_months": TENOR,
			"first_due_date": str(first_due),
			"purpose": "Renovasi rumah",
		},
	)
	assert app["workflow_state"] == "Draft"

	# Submitting needs verified documents; Sales may not verify them.
	r = sales.method("pinjaman_online.api.origination.submit", expect=417, application=app["name"])
	assert "not yet verified" in r.text
	sales.method(
		"pinjaman_online.api.members.verify_document",
		expect=403,
		member=member["name"],
		document=member["documents"][0]["name"],
	)
	for d in member["documents"]:
		out = analyst.method(
			"pinjaman_online.api.members.verify_document", member=member["name"], document=d["name"]
		)
	assert out["documents_verified"] == 1
	verified = analyst.get("Member", member["name"])["documents"]
	assert {d["verified_by"] for d in verified} == {analyst.user}

	submitted = sales.method("pinjaman_online.api.origination.submit", application=app["name"])
	assert submitted["workflow_state"] == "Submitted" and submitted["precheck_passed"] == 1
	assert {c["check"] for c in submitted["precheck_results"]} == {
		"DSR",
		"AGE_AT_MATURITY",
		"BENEFIT_COVERAGE",
		"DOUBLE_FINANCING",
	}

	analysed = analyst.method(
		"pinjaman_online.api.origination.analyze",
		application=app["name"],
		risk_score=35,
		recommendation="Approve",
		notes="Pension slip checked; no other loans.",
	)
	assert analysed["workflow_state"] == "Committee SPV"

	sales.method(
		"pinjaman_online.api.origination.decide", expect=403, application=app["name"], decision="approve"
	)
	assert (
		spv.method(
			"pinjaman_online.api.origination.decide",
			application=app["name"],
			decision="approve",
			notes="OK at SPV level",
		)["workflow_state"]
		== "Committee Manager"
	)
	twice = spv.method(
		"pinjaman_online.api.origination.decide", expect=417, application=app["name"], decision="approve"
	)
	assert "already voted" in twice.text
	approved = manager.method(
		"pinjaman_online.api.origination.decide", application=app["name"], decision="approve"
	)
	assert approved["workflow_state"] == "Approved" and approved["loan"]
	votes = approved["committee_decisions"]
	assert [(v["level"], v["decided_by"]) for v in votes] == [("SPV", spv.user), ("Manager", manager.user)]
	loan_name = approved["loan"]

	# The schedule on the site is the core's schedule, row by row.
	terms = LoanTerms(PRINCIPAL, RATE, TENOR, "Annuity", first_due, Decimal(100))
	expected = generate_schedule(terms)
	rows = finance.method("pinjaman_online.api.servicing.schedule", verb="GET", loan=loan_name)
	assert len(rows) == TENOR
	for row, exp in zip(rows, expected.installments, strict=True):
		assert row["due_date"] == exp.due_date.isoformat()
		assert Decimal(str(row["principal_amount"])) == exp.principal
		assert Decimal(str(row["interest_amount"])) == exp.interest

	disbursed = finance.method(
		"pinjaman_online.api.servicing.disburse", loan=loan_name, reference_no="TRF-001"
	)
	assert disbursed["loan_status"] == "Active"
	assert Decimal(str(disbursed["amount"])) == PRINCIPAL - 250000 - PRINCIPAL / 100
	assert sales.get("Loan Application", app["name"])["workflow_state"] == "Disbursed"

	amount = expected.installments[0].total + Decimal(150000)
	finance.method(
		"pinjaman_online.api.servicing.pay",
		loan=loan_name,
		amount=int(amount),  # whole Rupiah: the API refuses a JSON float for money
		payment_method="Pension Deduction",
	)
	outstanding = finance.method("pinjaman_online.api.servicing.outstanding", verb="GET", loan=loan_name)

	dues = [InstallmentDue(i.number, i.due_date, i.principal, i.interest) for i in expected.installments]
	allocation = allocate_payment(amount, dues)
	paid = {line.number: line for line in allocation.lines}
	after = [
		InstallmentDue(
			d.number,
			d.due_date,
			d.principal_due - (paid[d.number].principal if d.number in paid else 0),
			d.interest_due - (paid[d.number].interest if d.number in paid else 0),
		)
		for d in dues
	]
	exp_out = outstanding_of(after)
	assert Decimal(outstanding["principal"]) == exp_out.principal
	assert Decimal(outstanding["interest"]) == exp_out.interest
	assert Decimal(outstanding["penalty"]) == 0
	assert Decimal(outstanding["total"]) == expected.total_payable - amount

	loan = finance.get("Loan", loan_name)
	assert Decimal(str(loan["outstanding_principal"])) == exp_out.principal
	assert loan["status"] == "Active"

	# Sales cannot post money, and overpaying is refused without writing anything.
	sales.method("pinjaman_online.api.servicing.pay", expect=403, loan=loan_name, amount=1000)
	finance.method(
		"pinjaman_online.api.servicing.pay", expect=417, loan=loan_name, amount=int(expected.total_payable)
	)
	assert len(finance.list("Loan Payment", filters=f'[["loan","=","{loan_name}"]]')) == 1


def test_simulation_endpoint(staff, product):
	sim = staff["sales"].method(
		"pinjaman_online.api.products.simulate",
		verb="GET",
		loan_product=product["name"],
		principal=12000000,
		tenor=12,
		first_due_date="2027-01-25",
	)
	expected = generate_schedule(
		LoanTerms(Decimal(12000000), RATE, 12, "Annuity", dt.date(2027, 1, 25), Decimal(100))
	)
	assert Decimal(sim["installment"]) == expected.regular_installment
	assert Decimal(sim["total_interest"]) == expected.total_interest
	assert Decimal(sim["total_fees"]) == Decimal(250000 + 120000)
	assert Decimal(sim["net_disbursement"]) == Decimal(12000000 - 370000)
	out = staff["sales"].method(
		"pinjaman_online.api.products.simulate",
		verb="GET",
		expect=417,
		loan_product=product["name"],
		principal=1000,
		tenor=12,
	)
	assert "between" in out.text
