"""Sales management (seed 004 §2): agents and their branch, commissions on disbursement, KPIs per period.

Commission arithmetic and rate resolution are the lending core's (:mod:`pinjaman_online.lending.commission`);
this module reads the product's and branch's rates, books Sales Commission documents from Loan Disbursement
events (doc_events in hooks.py) and computes target-vs-actual figures.
"""

import frappe
from frappe import _

from pinjaman_online.lending.commission import ProductRate, achievement_pct, resolve_rate
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.money import ZERO
from pinjaman_online.lending.period import Period, parse_period
from pinjaman_online.utils import throw_lending_error, to_money

# Roles that see and manage every branch; a user holding none of them is branch-bound.
MANAGEMENT_ROLES = ("System Manager", "Koperasi Admin", "Director")


def agent_of(user: str | None = None) -> str | None:
	"""The active Sales Agent record of ``user`` (default: the session user), or None."""
	return frappe.db.get_value(
		"Sales Agent", {"user": user or frappe.session.user, "status": "Active"}, "name"
	)


def period_or_throw(value: str) -> Period:
	try:
		return parse_period(value)
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid period"))


# doc_events: branch on members and applications -------------------------------------------------------


def set_member_branch(doc, method=None):
	"""Member before_validate: a new member belongs to the branch of the agent who registers them."""
	if doc.is_new() and not doc.get("sales_branch"):
		agent = agent_of()
		if agent:
			doc.sales_branch = frappe.db.get_value("Sales Agent", agent, "sales_branch")


def set_application_agent(doc, method=None):
	"""Loan Application before_validate: the originating agent (from the Sales user) and the branch.

	The agent is the Sales Agent of ``sales_user`` (who entered the application); the branch is the agent's,
	else the member's.
	"""
	if doc.docstatus != 0:
		return
	if not doc.get("sales_agent") and doc.get("sales_user"):
		doc.sales_agent = agent_of(doc.sales_user)
	if not doc.get("sales_branch"):
		doc.sales_branch = (
			doc.sales_agent and frappe.db.get_value("Sales Agent", doc.sales_agent, "sales_branch")
		) or frappe.db.get_value("Member", doc.member, "sales_branch")


def validate_product_commission_rates(doc, method=None):
	"""Loan Product validate: one rate per branch (and one for every branch), each 0..100 %."""
	try:
		resolve_rate(None, product_rates(doc.get("commission_rates") or []))
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid commission rates"))


def product_rates(rows) -> list[ProductRate]:
	return [ProductRate(to_money(r.rate_pct), r.sales_branch or None) for r in rows]


def commission_rate(loan_product: str, sales_branch: str | None):
	"""The commission rate (percent) for a product sold by a branch, None when no rule applies."""
	rows = frappe.get_all(
		"Sales Commission Rate",
		filters={"parent": loan_product, "parenttype": "Loan Product", "parentfield": "commission_rates"},
		fields=["sales_branch", "rate_pct"],
	)
	branch_rate = (
		frappe.db.get_value("Sales Branch", sales_branch, "default_commission_rate") if sales_branch else None
	)
	return resolve_rate(sales_branch, product_rates(rows), to_money(branch_rate) if branch_rate else None)


# doc_events: commission on disbursement ---------------------------------------------------------------


def book_commission(disbursement, method=None):
	"""Loan Disbursement on_submit: the originating agent's commission, once per disbursement.

	Nothing is booked when the application has no agent or no rate applies to its product and branch.
	"""
	if frappe.db.exists("Sales Commission", {"loan_disbursement": disbursement.name, "docstatus": 1}):
		return
	loan = frappe.db.get_value(
		"Loan", disbursement.loan, ["name", "loan_application", "loan_product", "principal"], as_dict=True
	)
	if not loan.loan_application:
		return
	application = frappe.db.get_value(
		"Loan Application", loan.loan_application, ["sales_agent", "sales_branch"], as_dict=True
	)
	if not application or not application.sales_agent:
		return
	branch = application.sales_branch or frappe.db.get_value(
		"Sales Agent", application.sales_agent, "sales_branch"
	)
	rate = commission_rate(loan.loan_product, branch)
	if rate is None:
		return
	commission = frappe.get_doc(
		{
			"doctype": "Sales Commission",
			"sales_agent": application.sales_agent,
			"sales_branch": branch,
			"commission_type": "Commission",
			"posting_date": disbursement.disbursement_date,
			"loan": loan.name,
			"loan_application": loan.loan_application,
			"loan_product": loan.loan_product,
			"loan_disbursement": disbursement.name,
			"rate_pct": rate,
		}
	)
	commission.flags.ignore_permissions = True
	commission.insert()
	commission.submit()


def allow_cancel_with_commission(disbursement, method=None):
	"""Loan Disbursement before_cancel: its commissions are reversed by on_cancel, not a reason to refuse."""
	ignored = tuple(disbursement.get("ignore_linked_doctypes") or ())
	disbursement.ignore_linked_doctypes = (*ignored, "Sales Commission")


def reverse_commission(disbursement, method=None):
	"""Loan Disbursement on_cancel: an unpaid commission is cancelled (status Reversed); a paid one gets a
	Clawback commission of the opposite amount, to be deducted from the agent's next payout."""
	for name in frappe.get_all(
		"Sales Commission",
		filters={"loan_disbursement": disbursement.name, "docstatus": 1, "commission_type": "Commission"},
		pluck="name",
	):
		commission = frappe.get_doc("Sales Commission", name)
		commission.flags.ignore_permissions = True
		if commission.status == "Unpaid":
			commission.cancel()
			continue
		if frappe.db.exists("Sales Commission", {"reversal_of": name, "docstatus": 1}):
			continue
		clawback = frappe.get_doc(
			{
				"doctype": "Sales Commission",
				"commission_type": "Clawback",
				"reversal_of": name,
				"sales_agent": commission.sales_agent,
				"sales_branch": commission.sales_branch,
				"loan": commission.loan,
				"loan_application": commission.loan_application,
				"loan_product": commission.loan_product,
				"rate_pct": commission.rate_pct,
				"notes": _("Disbursement {0} cancelled after commission {1} was paid").format(
					disbursement.name, name
				),
			}
		)
		clawback.flags.ignore_permissions = True
		clawback.insert()
		clawback.submit()


def sync_agent_permission(doc):
	"""Sales Agent on_update: an active, branch-bound agent's user sees only their branch's records.

	Keeps exactly one User Permission on Sales Branch per agent record: granted for (user, branch), moved when
	the branch or user changes, revoked when the agent is deactivated or unrestricted.
	"""
	from pinjaman_online.user_permissions import sync

	def granted(d):
		return (
			(d.user, d.sales_branch) if d and d.restrict_to_branch and d.status == "Active" else (None, None)
		)

	(user, branch), (old_user, old_branch) = granted(doc), granted(doc.get_doc_before_save())
	sync(user, "Sales Branch", branch, old_user, old_branch)


# KPIs -------------------------------------------------------------------------------------------------


def actuals(agents: list[str], period: Period) -> dict[str, dict]:
	"""Per agent, what happened in ``period``: visits, applications, approvals, disbursed principal, commission.

	* visits: Sales Visits dated in the period;
	* applications: Loan Applications dated in the period, except cancelled ones;
	* approvals: those applications that were approved (their loan is booked and not cancelled);
	* disbursed: principal of the agent's loans disbursed in the period (Rupiah);
	* commission: submitted commissions posted in the period, clawbacks included (Rupiah).
	"""
	start, end = period.start, period.end
	out = {
		a: {"visits": 0, "applications": 0, "approvals": 0, "disbursed": ZERO, "commission": ZERO}
		for a in agents
	}
	if not agents:
		return out
	for r in frappe.get_all(
		"Sales Visit",
		filters={"sales_agent": ("in", agents), "visit_date": ("between", [start, end])},
		fields=["sales_agent", "count(name) as n"],
		group_by="sales_agent",
	):
		out[r.sales_agent]["visits"] = r.n
	for r in frappe.get_all(
		"Loan Application",
		filters={
			"sales_agent": ("in", agents),
			"application_date": ("between", [start, end]),
			"workflow_state": ("!=", "Cancelled"),
		},
		fields=["sales_agent", "count(name) as n"],
		group_by="sales_agent",
	):
		out[r.sales_agent]["applications"] = r.n
	la, ln = frappe.qb.DocType("Loan Application"), frappe.qb.DocType("Loan")
	from frappe.query_builder.functions import Count, Sum

	approvals = (
		frappe.qb.from_(la)
		.join(ln)
		.on(ln.name == la.loan)
		.select(la.sales_agent, Count(la.name))
		.where(
			la.sales_agent.isin(agents)
			& (la.application_date >= start)
			& (la.application_date <= end)
			& (ln.status != "Cancelled")
		)
		.groupby(la.sales_agent)
		.run()
	)
	for agent, n in approvals:
		out[agent]["approvals"] = n
	disbursed = (
		frappe.qb.from_(ln)
		.join(la)
		.on(la.name == ln.loan_application)
		.select(la.sales_agent, Sum(ln.principal))
		.where(la.sales_agent.isin(agents) & (ln.disbursement_date >= start) & (ln.disbursement_date <= end))
		.groupby(la.sales_agent)
		.run()
	)
	for agent, amount in disbursed:
		out[agent]["disbursed"] = to_money(amount)
	for r in frappe.get_all(
		"Sales Commission",
		filters={"sales_agent": ("in", agents), "docstatus": 1, "posting_date": ("between", [start, end])},
		fields=["sales_agent", "sum(amount) as amount"],
		group_by="sales_agent",
	):
		out[r.sales_agent]["commission"] = to_money(r.amount)
	return out


def targets(agents: list[str], period: Period) -> dict[str, dict]:
	"""Per agent, the period's submitted target (Approved preferred over one awaiting approval)."""
	rows = frappe.get_all(
		"Sales Target",
		filters={"sales_agent": ("in", agents or [""]), "period": str(period), "docstatus": 1},
		fields=[
			"name",
			"sales_agent",
			"workflow_state",
			"approved_by",
			"target_visits",
			"target_applications",
			"target_approvals",
			"target_disbursed_amount",
		],
		order_by="creation asc",
	)
	out = {}
	for r in rows:
		if r.sales_agent not in out or r.workflow_state == "Approved":
			out[r.sales_agent] = r
	return out


METRICS = (
	("visits", "target_visits"),
	("applications", "target_applications"),
	("approvals", "target_approvals"),
	("disbursed", "target_disbursed_amount"),
)


def scorecard(actual: dict, target: dict | None) -> dict:
	"""Actual vs target per metric with the achievement in percent (None without a target)."""
	metrics = {}
	for key, target_field in METRICS:
		goal = to_money(target.get(target_field)) if target else ZERO
		metrics[key] = {
			"actual": str(actual[key]),
			"target": str(goal) if target else None,
			"achievement_pct": str(pct) if (pct := achievement_pct(actual[key], goal)) is not None else None,
		}
	return metrics


def agent_performance(agent: str, period: str) -> dict:
	"""`GET /sales/{id}/performance?periode=…`: the agent's KPIs for the period against its target."""
	period = period_or_throw(period)
	actual = actuals([agent], period)[agent]
	target = targets([agent], period).get(agent)
	info = frappe.db.get_value("Sales Agent", agent, ["agent_name", "sales_branch"], as_dict=True)
	return {
		"sales_agent": agent,
		"agent_name": info.agent_name,
		"sales_branch": info.sales_branch,
		"period": str(period),
		"target": target
		and {"name": target.name, "status": target.workflow_state, "approved_by": target.approved_by},
		"metrics": scorecard(actual, target),
		"commission": str(actual["commission"]),
	}


def branch_performance(branch: str, period: str) -> dict:
	"""`GET /sales-branches/{id}/performance?periode=…`: every agent of the branch and the branch total."""
	period = period_or_throw(period)
	agents = frappe.get_all("Sales Agent", filters={"sales_branch": branch}, pluck="name", order_by="name")
	acts, tgts = actuals(agents, period), targets(agents, period)
	total = {"visits": 0, "applications": 0, "approvals": 0, "disbursed": ZERO, "commission": ZERO}
	total_target = {f: ZERO for _k, f in METRICS}
	rows = []
	for agent in agents:
		for key in total:
			total[key] += acts[agent][key]
		target = tgts.get(agent)
		if target and target.workflow_state == "Approved":
			for _k, f in METRICS:
				total_target[f] += to_money(target.get(f))
		rows.append(
			{
				"sales_agent": agent,
				"agent_name": frappe.db.get_value("Sales Agent", agent, "agent_name"),
				"target_status": target.workflow_state if target else None,
				"metrics": scorecard(acts[agent], target),
				"commission": str(acts[agent]["commission"]),
			}
		)
	return {
		"sales_branch": branch,
		"period": str(period),
		"agents": rows,
		"total": {
			"metrics": scorecard(total, total_target),
			"commission": str(total["commission"]),
			"approved_targets": sum(1 for t in tgts.values() if t.workflow_state == "Approved"),
		},
	}


def check_own_agent(agent: str):
	"""A branch-bound sales user acts only for themselves; supervisors and management for others."""
	roles = set(frappe.get_roles())
	if roles & {*MANAGEMENT_ROLES, "Sales Supervisor"}:
		return
	if agent != agent_of():
		frappe.throw(_("You can only act for your own sales agent record"), frappe.PermissionError)
