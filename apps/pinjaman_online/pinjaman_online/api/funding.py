"""Funder and fronting actions (seed 004 API §6 Funder & Fronting, §8 funder-margin report).

Funders and contracts themselves are Frappe REST: ``/api/resource/Funder``, ``/api/resource/Funder Contract``
(the signed contract uploaded with ``upload_file`` as a private file). The margin report is the Script Report
"Funder Margin": ``/api/method/frappe.desk.query_report.run?report_name=Funder Margin&filters=…``.
"""

import frappe
from frappe import _

from pinjaman_online.api import Date, Money, Percent, endpoint
from pinjaman_online.funding import settlement as settlements
from pinjaman_online.funding.doctype.funder_allocation.funder_allocation import end_allocation
from pinjaman_online.funding.utils import funder_portfolio


def _allocation_summary(doc) -> dict:
	return {
		"name": doc.name,
		"loan": doc.loan,
		"funder": doc.funder,
		"funder_contract": doc.funder_contract,
		"allocation_type": doc.allocation_type,
		"share_pct": str(doc.share_pct),
		"share_amount": str(doc.share_amount),
		"effective_date": str(doc.effective_date),
		"end_date": str(doc.end_date) if doc.end_date else None,
		"status": doc.status,
	}


@frappe.whitelist(methods=["POST"])
@endpoint
def allocate(
	loan: str,
	funder: str,
	funder_contract: str,
	allocation_type: str,
	share_pct: Percent | None = None,
	share_amount: Money | None = None,
	effective_date: Date | None = None,
) -> dict:
	"""`POST /loans/{id}/allocate-funder`: fund a loan fully, partially or by assignment.

	``allocation_type``: Full, Partial or Assignment. A partial share is ``share_pct`` (percent) or
	``share_amount`` (Rupiah of the principal). ``effective_date`` (YYYY-MM-DD, default today): payments posted
	from then on are shared. 417 when the shares of the loan would exceed 100%, the product is locked to other
	funders, or the contract is unsigned, expired or of another scheme.
	"""
	doc = frappe.get_doc(
		{
			"doctype": "Funder Allocation",
			"loan": loan,
			"funder": funder,
			"funder_contract": funder_contract,
			"allocation_type": allocation_type,
			"share_pct": str(share_pct) if share_pct else None,
			"share_amount": str(share_amount) if share_amount else None,
			**({"effective_date": effective_date} if effective_date else {}),
		}
	)
	doc.insert()
	doc.submit()
	return _allocation_summary(doc)


@frappe.whitelist(methods=["POST"])
@endpoint
def end(allocation: str, end_date: Date, reason: str | None = None) -> dict:
	"""End an allocation: payments posted on ``end_date`` (YYYY-MM-DD) and after are no longer shared.

	The allocation stays as history; the loan can then be allocated again.
	"""
	return _allocation_summary(end_allocation(allocation, end_date, reason))


@frappe.whitelist(methods=["GET"])
@endpoint
def portfolio(funder: str, as_of: Date | None = None) -> dict:
	"""`GET /funders/{id}/portfolio`: the funder's live loans and its share of their outstanding (Rupiah).

	Allowed to whoever may read the Funder (a funder's contact user only their own funder).
	"""
	frappe.get_doc("Funder", funder).check_permission("read")
	return funder_portfolio(funder, as_of)


@frappe.whitelist(methods=["POST"])
@endpoint
def generate_settlement(funder: str, period: str, correction_reason: str | None = None) -> dict:
	"""`POST /funders/{id}/settlements`: settle the funder's period (YYYY-MM) from the payments collected.

	Idempotent: when nothing changed since the live settlement of the period, that one is returned with
	``created`` false. When payments changed, a new version supersedes it (the old one is kept, cancelled as
	Superseded). Finance and the funder's contact are notified. Returns the settlement with its lines.
	"""
	result = settlements.generate_settlement(funder, period, correction_reason)
	return {**result, "settlement": settlement_detail(result["name"])}


@frappe.whitelist(methods=["POST"])
@endpoint
def run_month_end(period: str) -> dict:
	"""`POST`: settle every enabled funder with loans in ``period`` (YYYY-MM) in a background job (long queue);
	the desk shows its progress to the caller ("2 of 5 funders") and the Funder Settlement list refreshes as
	settlements are made. Idempotent per funder (see generate_settlement); a second request while the
	period's job waits or runs joins it. Finance (submit on Funder Settlement) only.
	Returns ``{"period", "job_id"}``."""
	return settlements.enqueue_month_end(period)


@frappe.whitelist(methods=["GET"])
@endpoint
def get_settlements(funder: str, period: str | None = None, include_history: bool = False) -> list[dict]:
	"""`GET /funders/{id}/settlements?periode=YYYY-MM`: the funder's settlements with lines and totals.

	Only the live (submitted) versions unless ``include_history`` (then superseded and cancelled ones too).
	"""
	frappe.get_doc("Funder", funder).check_permission("read")
	filters = {"funder": funder, "docstatus": ("in", (1, 2)) if include_history else 1}
	if period:
		filters["period"] = str(settlements.period_or_throw(period))
	names = frappe.get_list(
		"Funder Settlement", filters=filters, pluck="name", order_by="period desc, version desc"
	)
	return [settlement_detail(name) for name in names]


def settlement_detail(name: str) -> dict:
	doc = frappe.get_doc("Funder Settlement", name)
	doc.check_permission("read")
	money = (
		"total_collected",
		"total_collected_principal",
		"total_collected_interest",
		"total_collected_penalty",
		"total_principal",
		"total_interest",
		"total_interest_spread",
		"total_originator_fee",
		"total_servicing_fee",
		"total_fees",
		"net_to_funder",
		"total_other_funders",
		"total_cooperative",
	)
	return {
		"name": doc.name,
		"funder": doc.funder,
		"period": doc.period,
		"status": doc.status,
		"version": doc.version,
		"amended_from": doc.amended_from,
		"superseded_by": doc.superseded_by,
		"reconciled": bool(doc.reconciled),
		**{f: str(doc.get(f)) for f in money},
		"lines": [
			{
				"loan": row.loan,
				"member_name": row.member_name,
				"allocation": row.allocation,
				"allocation_type": row.allocation_type,
				"share_pct": str(row.share_pct),
				"payment_count": row.payment_count,
				**{f: str(row.get(f)) for f in settlements.LINE_FIELDS},
			}
			for row in doc.lines
		],
	}


@frappe.whitelist(methods=["GET"])
@endpoint
def funder_margin(period: str | None = None, funder: str | None = None) -> dict:
	"""`GET /reports/funder-margin?periode=YYYY-MM`: the Script Report "Funder Margin" (columns and rows).

	Same as ``frappe.desk.query_report.run`` with report_name "Funder Margin"; kept as a short path.
	"""
	from frappe.desk.query_report import run

	filters = {k: v for k, v in (("period", period), ("funder", funder)) if v}
	if not frappe.has_permission("Funder Settlement", "report"):
		frappe.throw(_("Not permitted to read the funder margin report"), frappe.PermissionError)
	return run("Funder Margin", filters=filters)
