"""The Loan form's desk helper: the schedule, the outstanding summary, the payment history and the actions the
user may take. Read-only; the actions themselves post through :mod:`pinjaman_online.api.servicing`."""

from decimal import Decimal

import frappe
from frappe.utils import getdate, today

from pinjaman_online.api import endpoint
from pinjaman_online.lending.errors import LendingError

LIVE = ("Active", "Default")


def _money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(Decimal(1))


@frappe.whitelist(methods=["GET"])
@endpoint
def loan_overview(loan: str) -> dict:
	"""The Loan form's panel for ``loan`` (read permission on the Loan required, 403 otherwise).

	Returns (amounts as whole-Rupiah strings, dates ISO)::

		{"status", "days_past_due", "as_of",
		 "installments": [{"installment_number", "due_date", "principal", "interest", "penalty", "total",
		                   "paid", "outstanding", "status", "overdue"}],
		 "summary": {"outstanding_principal", "outstanding_total", "due_now", "overdue",
		             "next_installment": {"installment_number", "due_date", "amount"} | None,
		             "payoff": {...quote of api.servicing.payoff} | None},
		 "payments": [{"name", "posting_date", "amount", "payment_method", "reference_no", "status"}],
		 "actions": {"disburse", "pay", "settle", "penalize", "restructure", "reverse"},
		 "newest_payment": name | None}

	``days_past_due`` counts from the oldest unpaid due date to today (the daily run stores the same on the
	Loan overnight). "Due now" is what is unpaid on installments due on or before today; "overdue" the part due before today.
	"""
	doc = frappe.get_doc("Loan", loan)
	doc.check_permission("read")
	as_of = getdate(today())
	rows = frappe.get_all(
		"Loan Installment",
		filters={"loan": loan},
		fields=[
			"installment_number",
			"due_date",
			"principal_amount",
			"interest_amount",
			"penalty_amount",
			"principal_paid",
			"interest_paid",
			"penalty_paid",
			"outstanding_amount",
			"status",
		],
		order_by="installment_number asc",
	)
	installments, due_now, overdue, next_installment, oldest_overdue = [], Decimal(0), Decimal(0), None, None
	for r in rows:
		owed = _money(r.principal_amount) + _money(r.interest_amount) + _money(r.penalty_amount)
		paid = _money(r.principal_paid) + _money(r.interest_paid) + _money(r.penalty_paid)
		left = owed - paid if r.status not in ("Paid", "Cancelled") else Decimal(0)
		due = getdate(r.due_date)
		if left > 0 and due <= as_of:
			due_now += left
			if due < as_of:
				overdue += left
				oldest_overdue = oldest_overdue or due
		if left > 0 and due > as_of and next_installment is None:
			next_installment = {
				"installment_number": r.installment_number,
				"due_date": str(due),
				"amount": str(left),
			}
		installments.append(
			{
				"installment_number": r.installment_number,
				"due_date": str(due),
				"principal": str(_money(r.principal_amount)),
				"interest": str(_money(r.interest_amount)),
				"penalty": str(_money(r.penalty_amount)),
				"total": str(owed),
				"paid": str(paid),
				"outstanding": str(left),
				"status": r.status,
				"overdue": bool(left > 0 and due < as_of),
			}
		)

	payoff = None
	if doc.status in LIVE:
		from pinjaman_online.servicing.changes import payoff_for

		try:
			payoff = payoff_for(loan, as_of)[0].as_dict()
		except (LendingError, frappe.ValidationError):
			frappe.clear_messages()
	payments = frappe.get_all(
		"Loan Payment",
		filters={"loan": loan, "docstatus": ("!=", 0)},
		fields=["name", "posting_date", "amount", "payment_method", "reference_no", "docstatus"],
		order_by="posting_date desc, creation desc",
	)
	newest = next((p.name for p in payments if p.docstatus == 1), None)
	outstanding_total = sum(
		(
			_money(doc.get(f))
			for f in ("outstanding_principal", "outstanding_interest", "outstanding_penalty")
		),
		Decimal(0),
	)

	def can(doctype: str) -> bool:
		return bool(frappe.has_permission(doctype, "create"))

	live = doc.status in LIVE
	return {
		"status": doc.status,
		"days_past_due": (as_of - oldest_overdue).days if oldest_overdue and doc.status in LIVE else 0,
		"as_of": str(as_of),
		"installments": installments,
		"summary": {
			"outstanding_principal": str(_money(doc.outstanding_principal)),
			"outstanding_total": str(outstanding_total),
			"due_now": str(due_now),
			"overdue": str(overdue),
			"next_installment": next_installment,
			"payoff": payoff,
		},
		"payments": [
			{
				"name": p.name,
				"posting_date": str(p.posting_date),
				"amount": str(_money(p.amount)),
				"payment_method": p.payment_method,
				"reference_no": p.reference_no,
				"status": "Posted" if p.docstatus == 1 else "Reversed",
			}
			for p in payments
		],
		"newest_payment": newest,
		"actions": {
			"disburse": doc.status == "Pending Disbursement" and can("Loan Disbursement"),
			"pay": live and outstanding_total > 0 and can("Loan Payment"),
			"settle": live and payoff is not None and can("Loan Settlement"),
			"penalize": live and can("Loan Penalty"),
			"restructure": live and can("Loan Restructure"),
			"reverse": live and bool(newest) and can("Payment Reversal"),
		},
	}
