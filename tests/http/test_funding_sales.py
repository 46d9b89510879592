"""Funders, fronting and the sales force over HTTP, each staff member with their own token.

The cooperative admin sets up two branches, agents with a supervisor, two funders with signed contracts and a
product with a commission rate. Agent A originates loans that Finance disburses (each disbursement books A's
commission) and allocates fully, partially to two funders and by assignment; payments are collected; the
month's settlement per funder reconciles with the collected payments to the Rupiah. Cancelling a disbursement
reverses its commission; an agent of another branch gets 403 on A's commission. A's target is approved by the
supervisor and the performance endpoint reports it against the actuals.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

D = Decimal
PERIOD = f"{dt.date.today():%Y-%m}"
FLAT_RATE = D(18)


@pytest.fixture(scope="module")
def staff(make_user):
	return {
		"admin": make_user("kopadmin", "Koperasi Admin"),
		"analyst": make_user("analyst", "Credit Analyst"),
		"spv": make_user("spv", "Committee SPV"),
		"manager": make_user("manager", "Committee Manager"),
		"finance": make_user("finance", "Finance"),
		"agent_a": make_user("agent-a", "Sales"),
		"supervisor_a": make_user("supervisor-a", "Sales", "Sales Supervisor"),
		"agent_b": make_user("agent-b", "Sales"),
	}


@pytest.fixture(scope="module")
def setup(staff):
	admin = staff["admin"]
	tag = uuid.uuid4().hex[:5].upper()
	branch_a = admin.insert(
		"Sales Branch", {"branch_code": f"A{tag}", "branch_name": f"Cabang Bandung {tag}"}
	)
	branch_b = admin.insert("Sales Branch", {"branch_code": f"B{tag}", "branch_name": f"Cabang Medan {tag}"})
	supervisor = admin.insert(
		"Sales Agent", {"user": staff["supervisor_a"].user, "sales_branch": branch_a["name"]}
	)
	agent_a = admin.insert(
		"Sales Agent",
		{"user": staff["agent_a"].user, "sales_branch": branch_a["name"], "supervisor": supervisor["name"]},
	)
	agent_b = admin.insert("Sales Agent", {"user": staff["agent_b"].user, "sales_branch": branch_b["name"]})
	product = admin.insert(
		"Loan Product",
		{
			"product_name": f"Pensiun Funded {tag}",
			"product_type": "Pension Loan",
			"min_principal": 5000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": float(FLAT_RATE),
			"interest_method": "Flat",
			"rounding_unit": 100,
			"fees": [{"fee_type": "Admin", "basis": "Amount", "amount": 250000}],
			"commission_rates": [{"rate_pct": 1.5}],
		},
	)
	bank = admin.insert(
		"Funder",
		{
			"funder_name": f"Bank Pensiun {tag}",
			"funder_type": "Bank",
			"contact_email": "treasury@bank.example",
		},
	)
	kop = admin.insert("Funder", {"funder_name": f"Koperasi Mitra {tag}", "funder_type": "Cooperative"})
	contracts = {
		"bank_fronting": contract(admin, bank["name"], "Fronting", 10, 15),
		"bank_part": contract(admin, bank["name"], "Participation", 8, 12),
		"kop_part": contract(admin, kop["name"], "Participation", 5, 10, interest_share=90),
		"kop_channeling": contract(admin, kop["name"], "Channeling", 4, 6),
	}
	return {
		"branch_a": branch_a["name"],
		"agent_a": agent_a["name"],
		"agent_b": agent_b["name"],
		"supervisor": supervisor["name"],
		"product": product["name"],
		"bank": bank["name"],
		"kop": kop["name"],
		**contracts,
	}


def contract(admin, funder, scheme, originator, servicing, interest_share=100) -> str:
	doc = admin.insert(
		"Funder Contract",
		{
			"funder": funder,
			"contract_number": f"PKS/{uuid.uuid4().hex[:6]}",
			"scheme": scheme,
			"valid_from": str(dt.date.today() - dt.timedelta(days=365)),
			"fee_originator_pct": originator,
			"fee_servicing_pct": servicing,
			"interest_share_pct": interest_share,
		},
	)
	public = upload(admin, "Funder Contract", doc["name"], "pks.pdf", private=0)
	refused = admin.update("Funder Contract", doc["name"], {"contract_file": public}, expect=417)
	assert "private" in refused.text
	signed = upload(admin, "Funder Contract", doc["name"], "pks-signed.pdf")
	submitted = admin.update("Funder Contract", doc["name"], {"contract_file": signed, "docstatus": 1})
	assert submitted["docstatus"] == 1
	return doc["name"]


def upload(api, doctype: str, name: str, file_name: str, private: int = 1) -> str:
	r = api.call(
		"POST",
		"/api/method/upload_file",
		data={"is_private": private, "doctype": doctype, "docname": name, "file_name": file_name},
		files={"file": (file_name, b"%PDF-1.4 " + file_name.encode(), "application/pdf")},
	)
	return r.json()["message"]["file_url"]


def nik_for(birth: dt.date, serial: int) -> str:
	return f"320101{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def originate(staff, setup, principal: int, tenor: int) -> str:
	"""Agent A's member and application, taken through analysis and both committee votes; Finance disburses."""
	sales, analyst = staff["agent_a"], staff["analyst"]
	birth = dt.date(1958, 1 + uuid.uuid4().int % 12, 1 + uuid.uuid4().int % 28)
	member = sales.insert(
		"Member",
		{
			"full_name": f"Pensiunan {uuid.uuid4().hex[:4]}",
			"nik": nik_for(birth, 1 + uuid.uuid4().int % 9999),
			"gender": "Male",
			"birth_date": str(birth),
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 6000000,
			"bank_accounts": [
				{"bank_name": "BRI", "account_number": "0099887766", "account_holder": "P", "is_default": 1}
			],
		},
	)
	assert member["sales_branch"] == setup["branch_a"]
	docs = [
		{"document_type": t, "file": upload(sales, "Member", member["name"], f"{t}.pdf")}
		for t in ("KTP", "KK", "SK Pensiun")
	]
	member = sales.update("Member", member["name"], {"documents": docs})
	for d in member["documents"]:
		analyst.method(
			"pinjaman_online.api.members.verify_document", member=member["name"], document=d["name"]
		)
	app = sales.insert(
		"Loan Application",
		{
			"member": member["name"],
			"loan_product": setup["product"],
			"principal": principal,
			"tenor_months": tenor,
		},
	)
	assert app["sales_agent"] == setup["agent_a"]
	sales.method("pinjaman_online.api.origination.submit", application=app["name"])
	analyst.method(
		"pinjaman_online.api.origination.analyze",
		application=app["name"],
		risk_score=30,
		recommendation="Approve",
		notes="Checked",
	)
	staff["spv"].method("pinjaman_online.api.origination.decide", application=app["name"], decision="approve")
	loan = staff["manager"].method(
		"pinjaman_online.api.origination.decide", application=app["name"], decision="approve"
	)["loan"]
	staff["finance"].method("pinjaman_online.api.servicing.disburse", loan=loan)
	return loan


def commission_of(api, loan: str) -> dict:
	rows = api.list(
		"Sales Commission",
		filters=f'[["loan","=","{loan}"]]',
		fields='["name","status","docstatus","amount","sales_agent"]',
		order_by="creation desc",
	)
	return rows[0]


def money(value) -> Decimal:
	return D(str(value))


@pytest.fixture(scope="module")
def book(staff, setup):
	"""Four of agent A's loans: full, shared by two funders, assigned, and one whose disbursement is cancelled."""
	loans = {
		"full": originate(staff, setup, 12000000, 12),
		"shared": originate(staff, setup, 24000000, 24),
		"assigned": originate(staff, setup, 18000000, 18),
		"cancelled": originate(staff, setup, 10000000, 12),
	}
	return loans


def test_allocations_payments_and_settlement_reconcile(staff, setup, book):
	finance = staff["finance"]
	allocate = "pinjaman_online.api.funding.allocate"
	finance.method(allocate, loan=book["full"], funder=setup["bank"], funder_contract=setup["bank_fronting"],
		allocation_type="Full")  # fmt: skip
	finance.method(allocate, loan=book["shared"], funder=setup["bank"], funder_contract=setup["bank_part"],
		allocation_type="Partial", share_pct=60)  # fmt: skip
	second = finance.method(allocate, loan=book["shared"], funder=setup["kop"], funder_contract=setup["kop_part"],
		allocation_type="Partial", share_amount=6000000)  # fmt: skip
	assert D(second["share_pct"]) == 25
	over = finance.method(allocate, expect=417, loan=book["shared"], funder=setup["kop"],
		funder_contract=setup["kop_part"], allocation_type="Partial", share_pct=16)  # fmt: skip
	assert "101" in over.text
	finance.method(allocate, loan=book["assigned"], funder=setup["kop"], funder_contract=setup["kop_channeling"],
		allocation_type="Assignment")  # fmt: skip
	staff["agent_a"].method(allocate, expect=403, loan=book["full"], funder=setup["bank"],
		funder_contract=setup["bank_fronting"], allocation_type="Full")  # fmt: skip

	pay = "pinjaman_online.api.servicing.pay"
	finance.method(pay, loan=book["full"], amount=1180000, payment_method="Pension Deduction")
	finance.method(pay, loan=book["shared"], amount=1234567, payment_method="Pension Deduction")
	finance.method(pay, loan=book["shared"], amount=33333, payment_method="Bank Transfer")
	finance.method(pay, loan=book["assigned"], amount=999999, payment_method="Pension Deduction")

	generate = "pinjaman_online.api.funding.generate_settlement"
	bank = finance.method(generate, funder=setup["bank"], period=PERIOD)["settlement"]
	kop = finance.method(generate, funder=setup["kop"], period=PERIOD)["settlement"]
	again = finance.method(generate, funder=setup["bank"], period=PERIOD)
	assert (again["name"], again["created"]) == (bank["name"], False)

	payments = finance.list(
		"Loan Payment",
		filters=f'[["loan","in",{list(book.values())!r}],["docstatus","=",1]]'.replace("'", '"'),
		fields='["loan","amount"]',
		limit_page_length=100,
	)

	def collected(*loans):
		return sum((money(p["amount"]) for p in payments if p["loan"] in loans), D(0))

	for settlement, loans in (
		(bank, (book["full"], book["shared"])),
		(kop, (book["shared"], book["assigned"])),
	):
		assert settlement["reconciled"] is True
		assert sorted(line["loan"] for line in settlement["lines"]) == sorted(loans)
		assert money(settlement["total_collected"]) == collected(*loans)
		assert money(settlement["net_to_funder"]) + money(settlement["total_other_funders"]) + money(
			settlement["total_cooperative"]
		) == collected(*loans)
	full_line = next(line for line in bank["lines"] if line["loan"] == book["full"])
	assert [money(full_line[f]) for f in ("principal", "interest", "originator_fee", "servicing_fee", "net_amount")] == [
		D(1000000), D(180000), D(18000), D(27000), D(1135000)
	]  # fmt: skip
	bank_shared = next(line for line in bank["lines"] if line["loan"] == book["shared"])
	kop_shared = next(line for line in kop["lines"] if line["loan"] == book["shared"])
	assert money(bank_shared["net_amount"]) + money(kop_shared["net_amount"]) + money(
		bank_shared["cooperative_amount"]
	) == collected(book["shared"])

	portfolio = finance.method("pinjaman_online.api.funding.portfolio", verb="GET", funder=setup["bank"])
	assert {row["loan"]: row["share_pct"] for row in portfolio["loans"]} == {
		book["full"]: "100",
		book["shared"]: "60",
	}

	report = finance.method(
		"frappe.desk.query_report.run",
		verb="GET",
		report_name="Funder Margin",
		filters=f'{{"period": "{PERIOD}", "funder": "{setup["kop"]}"}}',
	)
	(row,) = report["result"][:1]
	assert money(row["cooperative_margin"]) == money(kop["total_fees"]) + money(kop["total_interest_spread"])
	staff["agent_a"].method(
		"frappe.desk.query_report.run", verb="GET", expect=403, report_name="Funder Margin", filters="{}"
	)


def test_commission_booked_reversed_and_branch_bound(staff, setup, book):
	agent_a, agent_b, finance = staff["agent_a"], staff["agent_b"], staff["finance"]
	booked = commission_of(finance, book["full"])
	assert (booked["status"], booked["sales_agent"], money(booked["amount"])) == (
		"Unpaid",
		setup["agent_a"],
		D(180000),  # 1.5% of 12.000.000
	)
	assert agent_a.get("Sales Commission", booked["name"])["status"] == "Unpaid"
	agent_b.get("Sales Commission", booked["name"], expect=403)
	assert booked["name"] not in [c["name"] for c in agent_b.list("Sales Commission")]

	cancelled = commission_of(finance, book["cancelled"])
	disbursement = finance.list("Loan Disbursement", filters=f'[["loan","=","{book["cancelled"]}"]]')[0][
		"name"
	]
	finance.call(
		"POST",
		"/api/method/frappe.client.cancel",
		json={"doctype": "Loan Disbursement", "name": disbursement},
	)
	reversed_ = agent_a.get("Sales Commission", cancelled["name"])
	assert (reversed_["docstatus"], reversed_["status"]) == (2, "Reversed")
	unpaid = agent_a.method(
		"pinjaman_online.api.sales.commissions", verb="GET", sales_agent=setup["agent_a"], status="unpaid"
	)
	assert cancelled["name"] not in [c["name"] for c in unpaid]
	agent_b.method(
		"pinjaman_online.api.sales.commissions", verb="GET", expect=403, sales_agent=setup["agent_a"]
	)


def test_target_approved_by_the_supervisor_and_performance(staff, setup, book):
	agent_a, supervisor, agent_b = staff["agent_a"], staff["supervisor_a"], staff["agent_b"]
	for outcome, prospect in (("Interested", "Pak Darmo"), ("Follow Up", "Ibu Ratna")):
		agent_a.method(
			"pinjaman_online.api.sales.record_visit",
			sales_agent=setup["agent_a"],
			outcome=outcome,
			prospect_name=prospect,
			next_step="Bring the pension decree",
		)
	target = agent_a.method(
		"pinjaman_online.api.sales.set_target",
		sales_agent=setup["agent_a"],
		period=PERIOD,
		target_visits=4,
		target_applications=5,
		target_approvals=4,
		target_disbursed_amount=80000000,
	)
	assert target["workflow_state"] == "Submitted"
	decide = "pinjaman_online.api.sales.decide_target"
	agent_a.method(decide, expect=403, target=target["name"], decision="approve")
	agent_b.method(decide, expect=403, target=target["name"], decision="approve")
	approved = supervisor.method(decide, target=target["name"], decision="approve")
	assert (approved["workflow_state"], approved["approved_by"]) == ("Approved", supervisor.user)

	kpi = agent_a.method(
		"pinjaman_online.api.sales.performance", verb="GET", sales_agent=setup["agent_a"], period=PERIOD
	)
	metrics = {k: (v["actual"], v["target"], v["achievement_pct"]) for k, v in kpi["metrics"].items()}
	assert metrics == {
		"visits": ("2", "4", "50.0"),
		"applications": ("4", "5", "80.0"),
		"approvals": ("4", "4", "100.0"),
		# the cancelled disbursement no longer counts: 12 + 24 + 18 million
		"disbursed": ("54000000", "80000000", "67.5"),
	}
	# Commission: 1.5% of each disbursed principal; the cancelled one was reversed.
	assert D(kpi["commission"]) == D(180000 + 360000 + 270000)
	assert kpi["target"]["status"] == "Approved"
	agent_b.method(
		"pinjaman_online.api.sales.performance",
		verb="GET",
		expect=403,
		sales_agent=setup["agent_a"],
		period=PERIOD,
	)
	rollup = supervisor.method(
		"pinjaman_online.api.sales.branch_performance",
		verb="GET",
		sales_branch=setup["branch_a"],
		period=PERIOD,
	)
	assert rollup["total"]["metrics"]["disbursed"]["actual"] == "54000000"
	assert rollup["total"]["approved_targets"] == 1


def test_month_end_settlement_runs_as_a_job_for_finance_only(staff):
	"""Finance queues the month-end settlement of every funder (the job's progress reaches the desk; see
	tests/browser/test_live_progress.py); a period that is not YYYY-MM is a 417, a sales agent gets 403."""
	run = "pinjaman_online.api.funding.run_month_end"
	queued = staff["finance"].method(run, period="2001-01")
	assert queued == {"period": "2001-01", "job_id": "funder-month-end-2001-01"}
	assert "YYYY-MM" in staff["finance"].method(run, expect=417, period="2026-13").text
	staff["agent_a"].method(run, expect=403, period="2001-01")
