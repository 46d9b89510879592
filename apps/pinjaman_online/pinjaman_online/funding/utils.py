"""Funders and fronting (seed 004 §6 Funder & Fronting, "Kerja Sama dengan Bank"): product locks, live
allocations of loans, the funder's portfolio, and what the settlement reads (payments and allocations).
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.lending.money import percent_of
from pinjaman_online.lending.settlement import FunderShare, Participation, Receipt
from pinjaman_online.user_permissions import sync
from pinjaman_online.utils import to_money

# Loans a funder can take or hold a share of.
FUNDABLE_LOAN_STATUSES = ("Pending Disbursement", "Active", "Default")


class FunderNotAllowedError(frappe.ValidationError):
	pass


# Product lock ---------------------------------------------------------------------------------------------


def allowed_funders(loan_product: str) -> list[str]:
	"""The funders a product is locked to; [] when any funder may fund it."""
	return frappe.get_all(
		"Loan Product Funder",
		filters={"parent": loan_product, "parenttype": "Loan Product", "parentfield": "allowed_funders"},
		pluck="funder",
		order_by="idx",
	)


def check_funder_allowed(loan_product: str, funder: str):
	"""Refuse ``funder`` for a product locked to other funders (FunderNotAllowedError, 417)."""
	allowed = allowed_funders(loan_product)
	if allowed and funder not in allowed:
		frappe.throw(
			_("Loan product {0} can only be funded by {1}, not by {2}").format(
				frappe.bold(loan_product), ", ".join(allowed), frappe.bold(funder)
			),
			title=_("Funder not allowed"),
			exc=FunderNotAllowedError,
		)


def validate_product_funders(doc, method=None):
	"""doc_events Loan Product validate: a funder is listed once."""
	seen = set()
	for row in doc.get("allowed_funders") or []:
		if row.funder in seen:
			frappe.throw(_("Funder {0} is listed twice in Allowed Funders").format(frappe.bold(row.funder)))
		seen.add(row.funder)


def validate_application_funder(doc, method=None):
	"""doc_events Loan Application validate: the planned funder is one the product allows."""
	if doc.get("funder") and doc.loan_product:
		check_funder_allowed(doc.loan_product, doc.funder)


def sync_contact_permission(doc, method=None):
	"""Funder on_update: its contact user sees only this funder's records (User Permission on Funder)."""
	before = doc.get_doc_before_save()
	sync(doc.contact_user, "Funder", doc.name, before and before.contact_user, before and before.name)


# Allocations, payments -> the core's Participation / Receipt -------------------------------------------


def live_allocations(loan: str, on: date | None = None, exclude: str | None = None) -> list[dict]:
	"""Submitted allocations of ``loan`` live on ``on`` or later (not ended by then); oldest first."""
	on = getdate(on or today())
	fa = frappe.qb.DocType("Funder Allocation")
	query = (
		frappe.qb.from_(fa)
		.select(
			fa.name, fa.funder, fa.allocation_type, fa.share_pct, fa.effective_date, fa.end_date, fa.status
		)
		.where((fa.loan == loan) & (fa.docstatus == 1) & (fa.end_date.isnull() | (fa.end_date > on)))
		.orderby(fa.effective_date)
		.orderby(fa.name)
	)
	if exclude:
		query = query.where(fa.name != exclude)
	return query.run(as_dict=True)


def participations(loans: list[str]) -> list[Participation]:
	"""Every submitted allocation of ``loans`` (all funders) with its contract's terms, for the core."""
	if not loans:
		return []
	fa = frappe.qb.DocType("Funder Allocation")
	fc = frappe.qb.DocType("Funder Contract")
	rows = (
		frappe.qb.from_(fa)
		.join(fc)
		.on(fc.name == fa.funder_contract)
		.select(
			fa.name,
			fa.loan,
			fa.funder,
			fa.share_pct,
			fa.effective_date,
			fa.end_date,
			fc.interest_share_pct,
			fc.fee_originator_pct,
			fc.fee_servicing_pct,
		)
		.where((fa.loan.isin(loans)) & (fa.docstatus == 1))
		.run(as_dict=True)
	)
	return [
		Participation(
			loan=r.loan,
			funder=r.funder,
			effective_from=getdate(r.effective_date),
			end_date=getdate(r.end_date) if r.end_date else None,
			terms=FunderShare(
				r.name,
				to_money(r.share_pct),
				to_money(r.interest_share_pct),
				to_money(r.fee_originator_pct),
				to_money(r.fee_servicing_pct),
			),
		)
		for r in rows
	]


def funder_loans(funder: str, start: date, end: date) -> list[str]:
	"""Loans with an allocation of ``funder`` live at some time between ``start`` and ``end`` (inclusive)."""
	fa = frappe.qb.DocType("Funder Allocation")
	rows = (
		frappe.qb.from_(fa)
		.select(fa.loan)
		.distinct()
		.where(
			(fa.funder == funder)
			& (fa.docstatus == 1)
			& (fa.effective_date <= end)
			& (fa.end_date.isnull() | (fa.end_date > start))
		)
		.orderby(fa.loan)
		.run()
	)
	return [r[0] for r in rows]


def receipts(loans: list[str], start: date, end: date) -> list[tuple[str, Receipt]]:
	"""(payment name, Receipt) for each submitted Loan Payment of ``loans`` posted from ``start`` to ``end``."""
	if not loans:
		return []
	rows = frappe.get_all(
		"Loan Payment",
		filters={"loan": ("in", loans), "docstatus": 1, "posting_date": ("between", [start, end])},
		fields=["name", "loan", "posting_date", "total_principal", "total_interest", "total_penalty"],
		order_by="posting_date, name",
	)
	return [
		(
			r.name,
			Receipt(
				r.loan,
				getdate(r.posting_date),
				to_money(r.total_principal),
				to_money(r.total_interest),
				to_money(r.total_penalty),
			),
		)
		for r in rows
	]


# Portfolio ------------------------------------------------------------------------------------------------


def funder_portfolio(funder: str, as_of: date | None = None) -> dict:
	"""`GET /funders/{id}/portfolio`: the funder's live loans and its share of their outstanding (Rupiah).

	A loan is in the portfolio while one of the funder's allocations is live on ``as_of`` (default today) and
	the loan is pending disbursement, active or in default. The funder's share of the outstanding principal and
	interest is ``share %`` of each, half up to whole Rupiah. Amounts are decimal strings.
	"""
	as_of = getdate(as_of or today())
	fa = frappe.qb.DocType("Funder Allocation")
	ln = frappe.qb.DocType("Loan")
	rows = (
		frappe.qb.from_(fa)
		.join(ln)
		.on(ln.name == fa.loan)
		.select(
			fa.name.as_("allocation"),
			fa.allocation_type,
			fa.share_pct,
			fa.effective_date,
			fa.funder_contract,
			ln.name.as_("loan"),
			ln.member_name,
			ln.loan_product,
			ln.status,
			ln.principal,
			ln.outstanding_principal,
			ln.outstanding_interest,
			ln.days_past_due,
		)
		.where(
			(fa.funder == funder)
			& (fa.docstatus == 1)
			& (fa.effective_date <= as_of)
			& (fa.end_date.isnull() | (fa.end_date > as_of))
			& (ln.status.isin(FUNDABLE_LOAN_STATUSES))
		)
		.orderby(ln.name)
		.run(as_dict=True)
	)
	loans = []
	totals = {k: to_money(0) for k in ("principal", "outstanding_principal", "outstanding_interest")}
	for r in rows:
		share = to_money(r.share_pct)
		principal = percent_of(to_money(r.principal), share)
		out_principal = percent_of(to_money(r.outstanding_principal), share)
		out_interest = percent_of(to_money(r.outstanding_interest), share)
		totals["principal"] += principal
		totals["outstanding_principal"] += out_principal
		totals["outstanding_interest"] += out_interest
		loans.append(
			{
				"loan": r.loan,
				"member_name": r.member_name,
				"loan_product": r.loan_product,
				"status": r.status,
				"days_past_due": r.days_past_due,
				"allocation": r.allocation,
				"allocation_type": r.allocation_type,
				"funder_contract": r.funder_contract,
				"effective_date": str(r.effective_date),
				"share_pct": str(share),
				"receivable_owner": funder if r.allocation_type == "Assignment" else "cooperative",
				"loan_principal": str(to_money(r.principal)),
				"loan_outstanding_principal": str(to_money(r.outstanding_principal)),
				"loan_outstanding_interest": str(to_money(r.outstanding_interest)),
				"funder_principal": str(principal),
				"funder_outstanding_principal": str(out_principal),
				"funder_outstanding_interest": str(out_interest),
			}
		)
	return {
		"funder": funder,
		"as_of": str(as_of),
		"loans": loans,
		"count": len(loans),
		"totals": {k: str(v) for k, v in totals.items()},
	}
