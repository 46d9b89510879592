"""Demo data for funders and the sales force, loaded on top of the demo portfolio (setup/demo.py).

``load_funding_demo()`` is idempotent (every step looks for what it would create) and works through the app's
own actions, each as the staff user whose role they need:

* sales: branches Jakarta Pusat (JKT) and Bandung (BDG); ``sales@`` is an agent in JKT under the supervisor
  ``sales-spv@``; ``sales-bdg@`` sells in BDG. The demo members and applications that ``sales@`` entered are
  JKT's (so ``sales-bdg@`` sees none of them), and the demo disbursements of the last two months earn ``sales@``
  the commissions they would have earned had the hook existed then. Visits, an approved target for ``sales@``
  and one awaiting approval for ``sales-bdg@`` in the current month.
* funders: Bank Pensiun Nusantara (fronting and participation contracts, a contact user ``funder-bpn@``) and
  Koperasi Mitra Sejahtera (participation with a 90 % interest share, and channeling), each contract a private
  signed PDF. "Pensiun Anuitas 15" is locked to the bank. Demo loans with payments last month are allocated: two
  fully to the bank, one shared 60 % bank / 25 % cooperative partner (15 % stays with the cooperative), one
  assigned to the partner cooperative; then last month's settlement of each funder is generated.

Run: ``bin/frappe --site pinjaman.localhost execute pinjaman_online.setup.demo_funding.load_funding_demo``.
"""

import frappe
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file

from pinjaman_online.lending.money import format_rupiah
from pinjaman_online.lending.period import period_of
from pinjaman_online.utils import to_money

PASSWORD = "Demo#2026"
ADMIN, FINANCE, SALES = "admin@koperasi.example", "finance@koperasi.example", "sales@koperasi.example"
SUPERVISOR, SUPERVISOR_BDG, SALES_BDG, FUNDER_CONTACT = (
	"sales-spv@koperasi.example",
	"sales-spv-bdg@koperasi.example",
	"sales-bdg@koperasi.example",
	"funder-bpn@koperasi.example",
)
USERS = [
	(SUPERVISOR, "Sari Supervisor", ["Sales", "Sales Supervisor"]),
	(SUPERVISOR_BDG, "Bayu Supervisor", ["Sales", "Sales Supervisor"]),
	(SALES_BDG, "Bima Sales", ["Sales"]),
	(FUNDER_CONTACT, "Rina Treasury BPN", ["Funder"]),
]
BRANCHES = [
	{
		"branch_code": "JKT",
		"branch_name": "Cabang Jakarta Pusat",
		"city": "Jakarta",
		"default_commission_rate": 1,
	},
	{
		"branch_code": "BDG",
		"branch_name": "Cabang Bandung",
		"city": "Bandung",
		"default_commission_rate": 0.75,
	},
]
BANK, PARTNER = "Bank Pensiun Nusantara", "Koperasi Mitra Sejahtera"
FUNDERS = [
	{
		"funder_name": BANK,
		"funder_type": "Bank",
		"contact_name": "Rina Treasury",
		"contact_email": "treasury@bpn.example",
		"contact_user": FUNDER_CONTACT,
		"bank_name": "Bank Pensiun Nusantara",
		"account_number": "1200098765",
		"account_holder": "PT Bank Pensiun Nusantara",
	},
	{
		"funder_name": PARTNER,
		"funder_type": "Cooperative",
		"contact_name": "Hendra Wijaya",
		"contact_email": "keuangan@kms.example",
		"bank_name": "BRI",
		"account_number": "0345067788",
		"account_holder": "Koperasi Mitra Sejahtera",
	},
]
# contract number -> (funder, scheme, originator %, servicing %, funder interest share %)
CONTRACTS = {
	"PKS/BPN/001/2025": (BANK, "Fronting", 10, 15, 100),
	"PKS/BPN/002/2025": (BANK, "Participation", 8, 12, 100),
	"PKS/KMS/001/2025": (PARTNER, "Participation", 5, 10, 90),
	"PKS/KMS/002/2025": (PARTNER, "Channeling", 4, 6, 100),
}
LOCKED_PRODUCT = ("Pensiun Anuitas 15", BANK)
COMMISSION_RATES = {"Pensiun Flat 18": [{"rate_pct": 1.5}, {"sales_branch": "BDG", "rate_pct": 1.25}]}


def act_as(user: str):
	if frappe.session.user != user:
		frappe.set_user(user)


def load_funding_demo():
	"""Create the funding and sales demo (idempotent) and print the settlement figures."""
	from pinjaman_online.setup.demo import ensure_user

	for email, name, roles in USERS:
		ensure_user(email, name, roles, PASSWORD)
	try:
		agents = load_sales()
		load_funders()
		period = period_of(getdate(today())).previous()
		allocate_demo_loans(period)
		settlements = settle(period)
		load_commissions_and_targets(agents)
		frappe.db.commit()
	finally:
		frappe.set_user("Administrator")
	print_figures(period, settlements)


# ------------------------------------------------------------------------------------------------- sales
def load_sales() -> dict:
	act_as(ADMIN)
	for branch in BRANCHES:
		if not frappe.db.exists("Sales Branch", branch["branch_code"]):
			frappe.get_doc({"doctype": "Sales Branch", **branch}).insert()
	supervisor, supervisor_bdg = ensure_agent(SUPERVISOR, "JKT"), ensure_agent(SUPERVISOR_BDG, "BDG")
	agents = {
		"supervisor": supervisor,
		"sales": ensure_agent(SALES, "JKT", supervisor),
		"sales_bdg": ensure_agent(SALES_BDG, "BDG", supervisor_bdg),
	}
	backfill_branch(agents["sales"], "JKT")
	for product, rates in COMMISSION_RATES.items():
		if frappe.db.exists("Loan Product", product):
			doc = frappe.get_doc("Loan Product", product)
			if not doc.get("commission_rates"):
				doc.set("commission_rates", rates)
				doc.save()
	frappe.db.commit()
	return agents


def ensure_agent(user: str, branch: str, supervisor: str | None = None) -> str:
	if "Sales" not in frappe.get_roles(user):
		frappe.get_doc("User", user).add_roles("Sales")
	name = frappe.db.get_value("Sales Agent", {"user": user}, "name")
	if name:
		return name
	return (
		frappe.get_doc(
			{"doctype": "Sales Agent", "user": user, "sales_branch": branch, "supervisor": supervisor}
		)
		.insert()
		.name
	)


def backfill_branch(agent: str, branch: str):
	"""The demo portfolio predates branches: what sales@ entered belongs to their branch."""
	member, application = frappe.qb.DocType("Member"), frappe.qb.DocType("Loan Application")
	frappe.qb.update(member).set(member.sales_branch, branch).where(
		(member.owner == SALES) & member.sales_branch.isnull()
	).run()
	frappe.qb.update(application).set(application.sales_branch, branch).set(
		application.sales_agent, agent
	).where((application.sales_user == SALES) & application.sales_agent.isnull()).run()


# ----------------------------------------------------------------------------------------------- funders
def load_funders():
	act_as(ADMIN)
	for funder in FUNDERS:
		if not frappe.db.exists("Funder", funder["funder_name"]):
			frappe.get_doc({"doctype": "Funder", **funder}).insert()
	for number, (funder, scheme, originator, servicing, interest_share) in CONTRACTS.items():
		if frappe.db.exists("Funder Contract", {"contract_number": number, "docstatus": 1}):
			continue
		contract = frappe.get_doc(
			{
				"doctype": "Funder Contract",
				"funder": funder,
				"contract_number": number,
				"scheme": scheme,
				"signed_on": "2025-01-02",
				"valid_from": "2025-01-01",
				"valid_to": "2029-12-31",
				"fee_originator_pct": originator,
				"fee_servicing_pct": servicing,
				"interest_share_pct": interest_share,
			}
		).insert()
		pdf = (
			f"%PDF-1.4\n% Perjanjian Kerja Sama {number} {funder} ({scheme}), ditandatangani 2 Januari 2025\n"
		)
		file = save_file(
			f"{number.replace('/', '-')}.pdf", pdf.encode(), "Funder Contract", contract.name, is_private=1
		)
		contract.contract_file = file.file_url
		contract.save()
		contract.submit()
	product, funder = LOCKED_PRODUCT
	if frappe.db.exists("Loan Product", product):
		doc = frappe.get_doc("Loan Product", product)
		if not doc.get("allowed_funders"):
			doc.append("allowed_funders", {"funder": funder})
			doc.save()
	frappe.db.commit()


def contract_of(number: str) -> str:
	return frappe.db.get_value("Funder Contract", {"contract_number": number, "docstatus": 1}, "name")


def paid_loans(period, product: str | None = None, exclude=()) -> list[str]:
	"""Active demo loans with a payment in ``period``, oldest first, not allocated yet."""
	lp, ln, fa = (
		frappe.qb.DocType("Loan Payment"),
		frappe.qb.DocType("Loan"),
		frappe.qb.DocType("Funder Allocation"),
	)
	allocated = frappe.qb.from_(fa).select(fa.loan).where(fa.docstatus == 1)
	query = (
		frappe.qb.from_(lp)
		.join(ln)
		.on(ln.name == lp.loan)
		.select(ln.name)
		.distinct()
		.where(
			(lp.docstatus == 1)
			& (lp.posting_date >= period.start)
			& (lp.posting_date <= period.end)
			& (ln.status == "Active")
			& ln.name.notin(allocated)
		)
		.orderby(ln.name)
	)
	if product:
		query = query.where(ln.loan_product == product)
	return [r[0] for r in query.run() if r[0] not in exclude]


def allocate_demo_loans(period):
	"""Full (two loans of the bank-locked product), shared 60/25, and an assignment; once."""
	if frappe.db.count("Funder Allocation", {"docstatus": 1, "funder": ("in", (BANK, PARTNER))}):
		return
	act_as(FINANCE)
	locked = paid_loans(period, LOCKED_PRODUCT[0])[:2] or paid_loans(period)[:2]
	others = paid_loans(period, "Pensiun Flat 18", exclude=locked) or paid_loans(period, exclude=locked)
	shared, assigned = others[0], others[1]
	for loan in locked:
		allocate(loan, BANK, "PKS/BPN/001/2025", "Full")
	allocate(shared, BANK, "PKS/BPN/002/2025", "Partial", share_pct=60)
	principal = to_money(frappe.db.get_value("Loan", shared, "principal"))
	allocate(shared, PARTNER, "PKS/KMS/001/2025", "Partial", share_amount=principal / 4)
	allocate(assigned, PARTNER, "PKS/KMS/002/2025", "Assignment")
	frappe.db.commit()


def allocate(loan: str, funder: str, contract: str, allocation_type: str, **share):
	doc = frappe.get_doc(
		{
			"doctype": "Funder Allocation",
			"loan": loan,
			"funder": funder,
			"funder_contract": contract_of(contract),
			"allocation_type": allocation_type,
			"effective_date": max(
				getdate(frappe.db.get_value("Loan", loan, "disbursement_date")),
				getdate(frappe.db.get_value("Funder Contract", contract_of(contract), "valid_from")),
			),
			**{k: str(v) for k, v in share.items()},
		}
	)
	doc.insert()
	doc.submit()


def settle(period) -> dict:
	from pinjaman_online.funding.settlement import generate_settlement

	act_as(FINANCE)
	out = {funder: generate_settlement(funder, str(period)) for funder in (BANK, PARTNER)}
	frappe.db.commit()
	return out


# --------------------------------------------------------------------------------- commissions, targets
def load_commissions_and_targets(agents: dict):
	"""Commissions the recent demo disbursements earn, visits, and this month's targets."""
	from frappe.model.workflow import apply_workflow

	from pinjaman_online.sales.utils import book_commission

	this_month = period_of(getdate(today()))
	since = this_month.previous().start
	for name in frappe.get_all(
		"Loan Disbursement",
		filters={"docstatus": 1, "disbursement_date": (">=", since)},
		pluck="name",
		order_by="disbursement_date",
	):
		book_commission(frappe.get_doc("Loan Disbursement", name))
	frappe.db.commit()

	visits = [
		(agents["sales"], SALES, "Interested", "Bapak Sutarno", "Datang lagi dengan SK pensiun asli"),
		(agents["sales"], SALES, "Follow Up", "Ibu Kartini", "Simulasi plafon 40 juta, 36 bulan"),
		(agents["sales"], SALES, "Not Met", "Bapak Wiryo", "Kunjungi ulang minggu depan"),
		(agents["sales_bdg"], SALES_BDG, "Interested", "Ibu Ningsih", "Siapkan KTP dan KK"),
	]
	for agent, user, outcome, prospect, next_step in visits:
		if frappe.db.exists("Sales Visit", {"sales_agent": agent, "prospect_name": prospect}):
			continue
		act_as(user)
		frappe.get_doc(
			{
				"doctype": "Sales Visit",
				"sales_agent": agent,
				"outcome": outcome,
				"prospect_name": prospect,
				"next_step": next_step,
			}
		).insert()

	targets = [
		(
			agents["sales"],
			SALES,
			{"target_visits": 12, "target_applications": 8, "target_approvals": 6},
			300_000_000,
		),
		(
			agents["sales_bdg"],
			SALES_BDG,
			{"target_visits": 10, "target_applications": 5, "target_approvals": 4},
			150_000_000,
		),
	]
	for agent, user, figures, amount in targets:
		if frappe.db.exists(
			"Sales Target", {"sales_agent": agent, "period": str(this_month), "docstatus": ("<", 2)}
		):
			continue
		act_as(user)
		doc = frappe.get_doc(
			{
				"doctype": "Sales Target",
				"sales_agent": agent,
				"period": str(this_month),
				"target_disbursed_amount": amount,
				**figures,
			}
		).insert()
		doc = apply_workflow(doc, "Submit")
		if agent == agents["sales"]:
			act_as(SUPERVISOR)
			apply_workflow(frappe.get_doc("Sales Target", doc.name), "Approve")
	frappe.db.commit()


# ------------------------------------------------------------------------------------------------ report
def collected_on(loans: list[str], period) -> dict:
	"""Straight from Loan Payment: what was paid on ``loans`` in ``period`` (Rupiah)."""
	rows = frappe.get_all(
		"Loan Payment",
		filters={
			"loan": ("in", loans or [""]),
			"docstatus": 1,
			"posting_date": ("between", [period.start, period.end]),
		},
		fields=["amount"],
	)
	return sum((to_money(r.amount) for r in rows), to_money(0))


def print_figures(period, settlements: dict):
	print(f"  funder settlements for {period}:")
	for funder, result in settlements.items():
		doc = frappe.get_doc("Funder Settlement", result["name"])
		loans = [row.loan for row in doc.lines]
		paid = collected_on(loans, period)
		print(
			f"    {funder}: {doc.name} v{doc.version} ({'new' if result['created'] else 'unchanged'}), "
			f"{len(loans)} loans; collected {format_rupiah(to_money(doc.total_collected))} "
			f"(Loan Payments: {format_rupiah(paid)}); net to funder {format_rupiah(to_money(doc.net_to_funder))}, "
			f"fees {format_rupiah(to_money(doc.total_fees))}, spread {format_rupiah(to_money(doc.total_interest_spread))}, "
			f"other funders {format_rupiah(to_money(doc.total_other_funders))}, "
			f"cooperative {format_rupiah(to_money(doc.total_cooperative))}; reconciled: "
			f"{to_money(doc.net_to_funder) + to_money(doc.total_other_funders) + to_money(doc.total_cooperative) == paid}"
		)
	commissions = frappe.get_all("Sales Commission", filters={"docstatus": 1}, fields=["status", "amount"])
	total = sum((to_money(c.amount) for c in commissions), to_money(0))
	targets = frappe.get_all(
		"Sales Target", filters={"docstatus": 1}, fields=["sales_agent", "workflow_state"]
	)
	print(
		f"  sales: {frappe.db.count('Sales Agent')} agents, {frappe.db.count('Sales Visit')} visits, "
		f"{len(commissions)} commissions ({format_rupiah(total)}); targets: "
		+ ", ".join(f"{t.sales_agent} {t.workflow_state}" for t in targets)
	)
