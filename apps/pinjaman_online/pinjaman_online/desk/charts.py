"""Data of the role workspaces' charts (Dashboard Chart Sources of the module *Pinjaman Online*).

Each function is the ``method`` of a chart source (``pinjaman_online/dashboard_chart_source/<name>/<name>.js``)
and returns Frappe Charts data: ``{"labels": [...], "datasets": [{"name", "values"}]}``. Figures are read
through ``frappe.get_list``, so the user's permissions apply (HTTP 403 for a role that cannot read the
doctype; Frappe shows the chart only to users who may read its ``document_type``). Labels are translated;
amounts are in millions of Rupiah (*juta*, one decimal, ``lending.figures.millions``), as the charts' titles
say, because the chart library abbreviates large numbers with English letters (K, M, B) that read wrongly in
Indonesian (M is *miliar* there).
"""

import calendar
from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name
from frappe.utils import add_months, getdate, nowdate

from pinjaman_online.lending.aging import BUCKETS, dpd_bucket
from pinjaman_online.lending.figures import millions
from pinjaman_online.lending.money import HUNDRED, ZERO, round_rupiah
from pinjaman_online.lending.period import InvalidPeriod, Period, parse_period, period_of
from pinjaman_online.origination.utils import OWED_LOAN_STATUSES
from pinjaman_online.utils import to_money

PENSION_FUNDS = ("Taspen", "Asabri")


def chart(labels: list[str], *datasets: tuple[str, list]) -> dict:
	"""Frappe Charts data from labels and (dataset name, values) pairs; values as JSON numbers."""
	return {
		"labels": labels,
		"datasets": [
			{"name": name, "values": [float(v) if isinstance(v, Decimal) else v for v in values]}
			for name, values in datasets
		],
	}


@frappe.whitelist()
def applications_by_state(filters: str | dict | list | None = None) -> dict:
	"""Count of loan applications per workflow state (cancelled ones left out), in the workflow's order of
	states; states without applications are left out."""
	rows = frappe.get_list(
		"Loan Application",
		filters={"docstatus": ["<", 2]},
		fields=["workflow_state", "count(`name`) as applications"],
		group_by="workflow_state",
		order_by="workflow_state asc",
		limit_page_length=0,
	)
	counts = {r.workflow_state: r.applications for r in rows if r.workflow_state}
	workflow_name = get_workflow_name("Loan Application")
	order = (
		[s.state for s in frappe.get_cached_doc("Workflow", workflow_name).states] if workflow_name else []
	)
	states = [s for s in order if counts.get(s)] + sorted(s for s in counts if s not in order)
	return chart([_(s) for s in states], (_("Applications"), [counts[s] for s in states]))


@frappe.whitelist()
def outstanding_by_dpd(filters: str | dict | list | None = None) -> dict:
	"""Outstanding principal of Active and Default loans per days-past-due bucket of the seed (0-30, 31-60,
	61-90, >90; ``lending.aging.dpd_bucket``), in millions of Rupiah."""
	rows = frappe.get_list(
		"Loan",
		filters={"status": ["in", list(OWED_LOAN_STATUSES)]},
		fields=["days_past_due", "sum(`outstanding_principal`) as outstanding"],
		group_by="days_past_due",
		order_by="days_past_due asc",
		limit_page_length=0,
	)
	amounts = dict.fromkeys(BUCKETS, ZERO)
	for r in rows:
		amounts[dpd_bucket(max(int(r.days_past_due or 0), 0))] += to_money(r.outstanding)
	return chart(list(BUCKETS), (_("Outstanding principal"), [millions(amounts[b]) for b in BUCKETS]))


def billing_period(filters) -> Period:
	"""The period of the billing chart: ``filters.period`` (YYYY-MM) when given, else the current month when
	something was billed in it, else the latest period billed before it, else the current month."""
	filters = frappe.parse_json(filters) if filters else {}
	if isinstance(filters, dict) and filters.get("period"):
		try:
			return parse_period(filters["period"])
		except InvalidPeriod:
			frappe.throw(_("Period must be a month written YYYY-MM, e.g. 2026-03"), frappe.ValidationError)
	current = period_of(getdate(nowdate()))
	latest = frappe.get_list(
		"Pension Cut Export",
		filters={"docstatus": 1, "period": ["<=", str(current)]},
		fields=["period"],
		order_by="period desc",
		limit_page_length=1,
	)
	return parse_period(latest[0].period) if latest else current


@frappe.whitelist()
def billed_vs_collected(filters: str | dict | list | None = None) -> dict:
	"""Pension deductions of one period per fund: billed (total of the submitted Pension Cut Exports) and
	collected (Rupiah posted as payments by the submitted Pension Cut Imports), in millions of Rupiah. The
	period is ``billing_period``; the chart's title names it."""
	period = str(billing_period(filters))
	billed = defaultdict(lambda: ZERO)
	collected = defaultdict(lambda: ZERO)
	for r in frappe.get_list(
		"Pension Cut Export",
		filters={"docstatus": 1, "period": period},
		fields=["pension_fund", "sum(`total_amount`) as amount"],
		group_by="pension_fund",
		limit_page_length=0,
	):
		billed[r.pension_fund] += to_money(r.amount)
	for r in frappe.get_list(
		"Pension Cut Import",
		filters={"docstatus": 1, "period": period},
		fields=["pension_fund", "sum(`posted_amount`) as amount"],
		group_by="pension_fund",
		limit_page_length=0,
	):
		collected[r.pension_fund] += to_money(r.amount)
	funds = [f for f in PENSION_FUNDS if f in billed or f in collected] or list(PENSION_FUNDS)
	funds += sorted(f for f in {*billed, *collected} if f not in funds)
	return chart(
		[f"{fund} {period}" for fund in funds],
		(_("Billed"), [millions(billed[f]) for f in funds]),
		(_("Deducted"), [millions(collected[f]) for f in funds]),
	)


@frappe.whitelist()
def funder_exposure(filters: str | dict | list | None = None) -> dict:
	"""Each funder's share of the outstanding principal of the Active and Default loans it funds: for every
	active allocation (submitted, status Active), the loan's outstanding principal × the allocation's share
	in percent, rounded to the Rupiah, summed per funder; in millions of Rupiah, largest first."""
	allocations = frappe.get_list(
		"Funder Allocation",
		filters={"docstatus": 1, "status": "Active"},
		fields=["funder", "loan", "share_pct"],
		limit_page_length=0,
	)
	loans = {
		r.name: to_money(r.outstanding_principal)
		for r in frappe.get_list(
			"Loan",
			filters={
				"name": ["in", list({a.loan for a in allocations}) or [""]],
				"status": ["in", list(OWED_LOAN_STATUSES)],
			},
			fields=["name", "outstanding_principal"],
			limit_page_length=0,
		)
	}
	exposure = defaultdict(lambda: ZERO)
	for a in allocations:
		if a.loan in loans:
			exposure[a.funder] += round_rupiah(loans[a.loan] * to_money(a.share_pct) / HUNDRED)
	funders = sorted(exposure, key=lambda f: (-exposure[f], f))
	return chart(funders, (_("Funded outstanding"), [millions(exposure[f]) for f in funders]))


@frappe.whitelist()
def disbursed_by_month(filters: str | dict | list | None = None) -> dict:
	"""Rupiah paid out by submitted Loan Disbursements in each of the last 12 months (the current one
	included, labelled by the month's abbreviation: twelve labels of three letters fit under the bars), in
	millions of Rupiah."""
	today = getdate(nowdate())
	first = period_of(getdate(add_months(today, -11)))
	months = []
	month = period_of(today)
	while True:
		months.insert(0, month)
		if month == first:
			break
		month = month.previous()
	rows = frappe.get_list(
		"Loan Disbursement",
		filters={"docstatus": 1, "disbursement_date": ["between", [str(first.start), str(today)]]},
		fields=["disbursement_date", "sum(`amount`) as amount"],
		group_by="disbursement_date",
		limit_page_length=0,
	)
	amounts = defaultdict(lambda: ZERO)
	for r in rows:
		amounts[str(period_of(getdate(r.disbursement_date)))] += to_money(r.amount)
	return chart(
		[_(calendar.month_abbr[m.month]) for m in months],
		(_("Disbursed"), [millions(amounts[str(m)]) for m in months]),
	)
