"""Sales management actions (seed 004 API §2 Sales Management).

Branches, agents, visits, commissions and targets are Frappe REST (``/api/resource/Sales Branch``, ``…/Sales
Agent``, ``…/Sales Visit``, ``…/Sales Commission``, ``…/Sales Target``); a sales user sees only their own
branch's records through User Permissions. These endpoints are the seed's composite actions and KPIs.
"""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow, get_transitions

from pinjaman_online.api import Date, Money, endpoint
from pinjaman_online.api.idempotency import idempotent
from pinjaman_online.sales import utils
from pinjaman_online.sales.doctype.sales_commission.sales_commission import mark_paid

TARGET_ACTIONS = {"approve": "Approve", "reject": "Reject"}


def _agent(agent: str):
	doc = frappe.get_doc("Sales Agent", agent)
	doc.check_permission("read")
	return doc


@frappe.whitelist(methods=["POST"])
@endpoint
def record_visit(
	sales_agent: str,
	outcome: str,
	member: str | None = None,
	prospect_name: str | None = None,
	prospect_phone: str | None = None,
	visit_date: Date | None = None,
	next_step: str | None = None,
	next_visit_date: Date | None = None,
	notes: str | None = None,
) -> dict:
	"""`POST /sales/{id}/visits`: record a visit to a member or a prospect, its outcome and next step.

	``outcome``: Interested, Not Interested, Follow Up, Applied or Not Met. A sales user records only their own
	visits (403 otherwise).
	"""
	_agent(sales_agent)
	doc = frappe.get_doc(
		{
			"doctype": "Sales Visit",
			"sales_agent": sales_agent,
			"outcome": outcome,
			"member": member,
			"prospect_name": prospect_name,
			"prospect_phone": prospect_phone,
			"next_step": next_step,
			"next_visit_date": next_visit_date,
			"notes": notes,
			**({"visit_date": visit_date} if visit_date else {}),
		}
	).insert()
	return doc.as_dict(no_default_fields=True)


@frappe.whitelist(methods=["GET"])
@endpoint
def visits(sales_agent: str, period: str | None = None) -> list[dict]:
	"""`GET /sales/{id}/visits[?periode=YYYY-MM]`: the agent's visits, newest first."""
	_agent(sales_agent)
	filters = {"sales_agent": sales_agent}
	if period:
		p = utils.period_or_throw(period)
		filters["visit_date"] = ("between", [p.start, p.end])
	return frappe.get_list(
		"Sales Visit",
		filters=filters,
		fields=["name", "visit_date", "member", "member_name", "prospect_name", "outcome", "next_step"],
		order_by="visit_date desc",
	)


@frappe.whitelist(methods=["GET"])
@endpoint
def commissions(sales_agent: str, status: str | None = None) -> list[dict]:
	"""`GET /sales/{id}/commissions?status=unpaid`: the agent's commissions (unpaid, paid or reversed)."""
	_agent(sales_agent)
	filters = {"sales_agent": sales_agent, "docstatus": ("!=", 0)}
	if status:
		filters["status"] = status.strip().title()
	return frappe.get_list(
		"Sales Commission",
		filters=filters,
		fields=[
			"name",
			"commission_type",
			"status",
			"posting_date",
			"loan",
			"member_name",
			"base_amount",
			"rate_pct",
			"amount",
			"paid_on",
		],
		order_by="posting_date desc",
	)


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def pay_commission(commission: str, paid_on: Date | None = None, reference: str | None = None) -> dict:
	"""Finance marks an unpaid commission (or clawback) paid; 403 for other roles, 417 when not unpaid."""
	doc = mark_paid(commission, paid_on, reference)
	return {"name": doc.name, "status": doc.status, "paid_on": str(doc.paid_on), "amount": doc.amount}


@frappe.whitelist(methods=["POST"])
@endpoint
def set_target(
	sales_agent: str,
	period: str,
	target_visits: int = 0,
	target_applications: int = 0,
	target_approvals: int = 0,
	target_disbursed_amount: Money = 0,
	notes: str | None = None,
) -> dict:
	"""`POST /sales/{id}/targets`: set the agent's monthly target and send it to the supervisor for approval.

	``period`` YYYY-MM; the amount in Rupiah. One target per agent and period (417 for a second one). The
	target waits in state Submitted until the agent's supervisor approves or rejects it.
	"""
	_agent(sales_agent)
	utils.check_own_agent(sales_agent)
	doc = frappe.get_doc(
		{
			"doctype": "Sales Target",
			"sales_agent": sales_agent,
			"period": period,
			"target_visits": target_visits,
			"target_applications": target_applications,
			"target_approvals": target_approvals,
			"target_disbursed_amount": str(target_disbursed_amount),
			"notes": notes,
		}
	).insert()
	doc = apply_workflow(doc, "Submit")
	return _target_summary(doc)


@frappe.whitelist(methods=["POST"])
@endpoint
def decide_target(target: str, decision: str) -> dict:
	"""The supervisor's decision on a submitted target: ``decision`` approve or reject.

	Only the agent's supervisor may decide (403 for anyone else, including the target's creator).
	"""
	action = TARGET_ACTIONS.get((decision or "").strip().lower())
	if not action:
		frappe.throw(_("Decision must be approve or reject"), title=_("Invalid decision"))
	doc = frappe.get_doc("Sales Target", target)
	doc.check_permission("read")
	if action not in {t.action for t in get_transitions(doc)}:
		frappe.throw(
			_("You cannot {0} target {1} in state {2}: only the agent's supervisor decides").format(
				_(action).lower(), target, _(doc.workflow_state)
			),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	return _target_summary(apply_workflow(doc, action))


@frappe.whitelist(methods=["GET"])
@endpoint
def get_targets(sales_agent: str, period: str | None = None) -> list[dict]:
	"""`GET /sales/{id}/targets?periode=YYYY-MM`: the agent's targets with their actuals."""
	_agent(sales_agent)
	filters = {"sales_agent": sales_agent}
	if period:
		filters["period"] = str(utils.period_or_throw(period))
	out = []
	for name in frappe.get_list("Sales Target", filters=filters, pluck="name", order_by="period desc"):
		target = frappe.get_doc("Sales Target", name)
		out.append(
			{
				**_target_summary(target),
				"performance": utils.agent_performance(sales_agent, target.period)["metrics"],
			}
		)
	return out


def _target_summary(doc) -> dict:
	return {
		"name": doc.name,
		"sales_agent": doc.sales_agent,
		"period": doc.period,
		"workflow_state": doc.workflow_state,
		"approved_by": doc.approved_by,
		"target_visits": doc.target_visits,
		"target_applications": doc.target_applications,
		"target_approvals": doc.target_approvals,
		"target_disbursed_amount": str(doc.target_disbursed_amount),
	}


@frappe.whitelist(methods=["GET"])
@endpoint
def performance(sales_agent: str, period: str) -> dict:
	"""`GET /sales/{id}/performance?periode=YYYY-MM`: visits, applications, approvals and disbursed principal
	against the agent's target (achievement in percent), and the commission of the period (Rupiah)."""
	_agent(sales_agent)
	return utils.agent_performance(sales_agent, period)


@frappe.whitelist(methods=["GET"])
@endpoint
def branch_performance(sales_branch: str, period: str) -> dict:
	"""The branch roll-up: each agent's KPIs and the branch total against the sum of approved targets."""
	frappe.get_doc("Sales Branch", sales_branch).check_permission("read")
	return utils.branch_performance(sales_branch, period)
