"""Number cards of the role workspaces whose figure is not a plain count (Number Card type *Custom*).

Each function is a card's ``method``: Frappe's number card widget calls it with the card's ``filters`` and
shows what it returns: ``{"value", "fieldtype", "precision", "route", "route_options"}`` (a click opens
``route`` with ``route_options`` as list filters). Every figure is read through ``frappe.get_list``, so the
user's permissions apply to it as to a list: a role without read access on the card's doctype gets HTTP 403
here, and Frappe shows the card only to users who may read its ``document_type``.

Amounts are whole Rupiah (int); ``precision`` is the number of decimals to show once the desk abbreviates
the amount (``lending.figures.short_precision``), so no ``,00`` appears after a whole number.
"""

from decimal import Decimal

import frappe
from frappe.model.workflow import get_workflow_name
from frappe.utils import getdate, nowdate

from pinjaman_online.lending.aging import npl_ratio as core_npl_ratio
from pinjaman_online.lending.figures import short_precision
from pinjaman_online.lending.period import Period, period_of
from pinjaman_online.origination.utils import COMMITTEE_LEVELS, OWED_LOAN_STATUSES
from pinjaman_online.utils import to_money

APPLICATION = "Loan Application"


def this_month() -> Period:
	"""The current month in the site's time zone."""
	return period_of(getdate(nowdate()))


def total(doctype: str, field: str, filters: dict) -> Decimal:
	"""Sum of ``field`` over the ``doctype`` records the session user may read that match ``filters``
	(``frappe.get_list``: role permissions, User Permissions and the app's query conditions). Rupiah."""
	rows = frappe.get_list(doctype, filters=filters, fields=[f"sum(`{field}`) as total"], limit_page_length=0)
	return to_money(rows[0].total if rows else 0)


def money_card(amount: Decimal, route: list[str], route_options: dict | None = None) -> dict:
	"""A card showing ``amount`` Rupiah (whole), linking to ``route``."""
	whole = int(amount.quantize(Decimal(1)))
	return {
		"value": whole,
		"fieldtype": "Currency",
		"precision": short_precision(whole),
		"route": route,
		"route_options": route_options or {},
	}


@frappe.whitelist()
def outstanding_portfolio(filters: str | dict | list | None = None) -> dict:
	"""Outstanding principal of the loans being repaid (status Active or Default), in Rupiah."""
	status = ["in", list(OWED_LOAN_STATUSES)]
	amount = total("Loan", "outstanding_principal", {"status": status})
	return money_card(amount, ["List", "Loan"], {"status": status})


@frappe.whitelist()
def disbursed_this_month(filters: str | dict | list | None = None) -> dict:
	"""Rupiah paid out by submitted Loan Disbursements dated in the current month."""
	month = this_month()
	dates = ["between", [str(month.start), str(month.end)]]
	amount = total("Loan Disbursement", "amount", {"docstatus": 1, "disbursement_date": dates})
	return money_card(amount, ["List", "Loan Disbursement"], {"docstatus": 1, "disbursement_date": dates})


@frappe.whitelist()
def collected_this_month(filters: str | dict | list | None = None) -> dict:
	"""Rupiah received by submitted Loan Payments posted in the current month (every method)."""
	month = this_month()
	dates = ["between", [str(month.start), str(month.end)]]
	amount = total("Loan Payment", "amount", {"docstatus": 1, "posting_date": dates})
	return money_card(amount, ["List", "Loan Payment"], {"docstatus": 1, "posting_date": dates})


@frappe.whitelist()
def npl_ratio(filters: str | dict | list | None = None) -> dict:
	"""Non-performing loan ratio of the live portfolio in percent: outstanding principal of Kol 3–5 (more
	than 90 days past due, POJK 40/2019) over all outstanding principal of Active and Default loans; the
	same rule as the Loan Quality report (``lending.aging.npl_ratio``)."""
	rows = frappe.get_list(
		"Loan",
		filters={"status": ["in", list(OWED_LOAN_STATUSES)]},
		fields=["days_past_due", "sum(`outstanding_principal`) as outstanding"],
		group_by="days_past_due",
		order_by="days_past_due asc",
		limit_page_length=0,
	)
	ratio = core_npl_ratio((max(int(r.days_past_due or 0), 0), to_money(r.outstanding)) for r in rows)
	return {
		"value": float(ratio),  # a percentage for display, 2 decimals; no amount of money
		"fieldtype": "Percent",
		"precision": 2,
		"route": ["query-report", "Loan Quality"],
		"route_options": {},
	}


def decision_states(user: str | None = None) -> list[str]:
	"""The committee states of the loan application workflow (``COMMITTEE_LEVELS``) in which ``user`` may
	vote: the active workflow has a transition out of the state, other than to its cancelled state, allowed
	to one of the user's roles. Read from the site's Workflow, so an admin's edits to it count."""
	user = user or frappe.session.user
	workflow_name = get_workflow_name(APPLICATION)
	if not workflow_name:
		return []
	workflow = frappe.get_cached_doc("Workflow", workflow_name)
	cancelled = {s.state for s in workflow.states if str(s.doc_status) == "2"}
	roles = set(frappe.get_roles(user))
	states = []
	for t in workflow.transitions:
		decides = t.state in COMMITTEE_LEVELS and t.allowed in roles and t.next_state not in cancelled
		if decides and t.state not in states:
			states.append(t.state)
	return states


def awaiting_decision(user: str | None = None) -> list[str]:
	"""Names of the loan applications waiting for ``user``'s vote: in a state of ``decision_states``,
	readable by the user, not created by the user (committee transitions refuse self-approval), and not yet
	voted on by the user (one vote per person; confirming a conditional approval's conditions excepted)."""
	user = user or frappe.session.user
	states = decision_states(user)
	if not states:
		return []
	rows = frappe.get_list(
		APPLICATION,
		filters={"workflow_state": ["in", states], "docstatus": 1, "owner": ["!=", user]},
		fields=["name", "workflow_state"],
		order_by="modified asc",
		limit_page_length=0,
	)
	if not rows:
		return []
	# the applications are readable by the user: their committee rows are read without a second check
	voted = set(
		frappe.get_all(
			"Committee Decision",
			filters={"parenttype": APPLICATION, "parent": ["in", [r.name for r in rows]], "decided_by": user},
			pluck="parent",
		)
	)
	return [r.name for r in rows if r.workflow_state == "Conditional" or r.name not in voted]


@frappe.whitelist()
def awaiting_my_decision(filters: str | dict | list | None = None) -> dict:
	"""Count of ``awaiting_decision`` for the session user; a click opens those applications."""
	names = awaiting_decision()
	states = decision_states()
	route_options = {"workflow_state": ["in", states or [""]]}
	if names and len(names) <= 200:
		route_options["name"] = ["in", names]
	return {
		"value": len(names),
		"fieldtype": "Int",
		"route": ["List", APPLICATION],
		"route_options": route_options,
	}
