"""Loan servicing: booking a loan with its schedule, applying payments, outstanding (seed 004 §4 LMS).

Installments are rows of their own doctype (Loan Installment), written in bulk when a loan is booked and
updated one row at a time by payments, so that a payment never re-saves the whole loan.
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import getdate, now, today

from pinjaman_online.lending.allocation import (
	Allocation,
	InstallmentDue,
	days_past_due,
	outstanding_of,
	overdue_of,
)
from pinjaman_online.lending.lifecycle import installment_status
from pinjaman_online.lending.schedule import Schedule
from pinjaman_online.products.utils import simulate_product
from pinjaman_online.utils import STANDARD_FIELDS, insert_rows, to_money

INSTALLMENT_FIELDS = (
	*STANDARD_FIELDS,
	"loan",
	"installment_number",
	"due_date",
	"status",
	"principal_amount",
	"interest_amount",
	"total_amount",
	"balance_after",
	"principal_paid",
	"interest_paid",
	"penalty_amount",
	"penalty_paid",
	"outstanding_amount",
)


class LoanStateError(frappe.ValidationError):
	pass


def create_loan(application) -> "frappe.model.document.Document":
	"""Book the Loan of an approved application with its full schedule of installments.

	The schedule comes from the lending core (same terms as the application's simulation); the Loan waits
	in status Pending Disbursement until a Loan Disbursement is submitted.
	"""
	product = frappe.get_cached_doc("Loan Product", application.loan_product)
	sim = simulate_product(
		product,
		application.principal,
		application.tenor_months,
		application.first_due_date,
		application.annual_interest_rate,
		application.interest_method,
		start=application.application_date,
	)
	schedule = sim.schedule
	loan = frappe.get_doc(
		{
			"doctype": "Loan",
			"member": application.member,
			"member_name": application.member_name,
			"loan_application": application.name,
			"loan_product": application.loan_product,
			"status": "Pending Disbursement",
			"repayment_method": application.get("repayment_method") or product.get("repayment_method"),
			"principal": schedule.terms.principal,
			"tenor_months": schedule.terms.tenor_months,
			"annual_interest_rate": schedule.terms.annual_rate_pct,
			"interest_method": schedule.terms.interest_method.value,
			"rounding_unit": int(schedule.terms.rounding_unit),
			"installment_amount": sim.installment,
			"total_interest": sim.total_interest,
			"total_fees": sim.total_fees,
			"net_disbursement": sim.net_disbursement,
			"first_due_date": schedule.terms.first_due_date,
			"maturity_date": schedule.maturity_date,
			"outstanding_principal": schedule.total_principal,
			"outstanding_interest": schedule.total_interest,
			"outstanding_penalty": 0,
		}
	)
	loan.flags.ignore_permissions = True
	loan.flags.ignore_links = True  # every link comes from the validated, submitted application
	loan.insert()
	insert_installments(loan.name, schedule)
	return loan


def installment_values(loan: str, number: int, row, stamp: str, user: str, penalty=0) -> tuple:
	"""One unpaid Loan Installment row, in INSTALLMENT_FIELDS order, for a core schedule row (Rupiah);
	``penalty`` already owed on it, if any."""
	amounts = (
		row.principal,
		row.interest,
		row.total,
		row.balance_after,
		0,
		0,
		penalty,
		0,
		row.total + penalty,
	)
	return (
		f"{loan}-{number:03d}",
		user,
		user,
		stamp,
		stamp,
		0,
		number,
		loan,
		number,
		row.due_date,
		"Unpaid",
		*amounts,
	)


def insert_installments(loan: str, schedule: Schedule, first_number: int = 1, carried_penalty=0):
	"""Write the schedule's rows as Loan Installments in one bulk insert, numbered from ``first_number``;
	``carried_penalty`` (Rupiah) is put on the first of them."""
	stamp, user = now(), frappe.session.user
	rows = [
		installment_values(loan, first_number + i, row, stamp, user, carried_penalty if i == 0 else 0)
		for i, row in enumerate(schedule.installments)
	]
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows)


def cancel_undisbursed_loan(loan_name: str):
	loan = frappe.get_doc("Loan", loan_name)
	if loan.status != "Pending Disbursement":
		frappe.throw(
			_("Loan {0} is {1} and cannot be cancelled").format(loan_name, _(loan.status, context="Loan")),
			exc=LoanStateError,
		)
	from pinjaman_online.servicing.state import set_status

	set_status(
		loan_name,
		"Cancelled",
		"application cancelled",
		values={"outstanding_principal": 0, "outstanding_interest": 0},
		reference=("Loan Application", loan.loan_application) if loan.loan_application else None,
	)
	li = frappe.qb.DocType("Loan Installment")
	frappe.qb.update(li).set(li.status, "Cancelled").set(li.outstanding_amount, 0).where(
		li.loan == loan_name
	).run()
	loan.add_comment("Info", _("Cancelled with its application"))


def installment_rows(loan: str, for_update: bool = False) -> list[dict]:
	"""The loan's live installments, oldest first (optionally locked FOR UPDATE)."""
	li = frappe.qb.DocType("Loan Installment")
	query = (
		frappe.qb.from_(li)
		.select(
			li.name,
			li.installment_number,
			li.due_date,
			li.principal_amount,
			li.interest_amount,
			li.penalty_amount,
			li.principal_paid,
			li.interest_paid,
			li.penalty_paid,
		)
		.where((li.loan == loan) & (li.status != "Cancelled"))
		.orderby(li.due_date)
		.orderby(li.installment_number)
	)
	if for_update:
		query = query.for_update()
	return query.run(as_dict=True)


def dues_of(rows: list[dict]) -> list[InstallmentDue]:
	return [
		InstallmentDue(
			number=r.installment_number,
			due_date=getdate(r.due_date),
			principal_due=to_money(r.principal_amount) - to_money(r.principal_paid),
			interest_due=to_money(r.interest_amount) - to_money(r.interest_paid),
			penalty_due=to_money(r.penalty_amount) - to_money(r.penalty_paid),
		)
		for r in rows
	]


def apply_allocation(rows: list[dict], allocation: Allocation, sign: int, posting_date):
	"""Add (sign=+1) or take back (sign=-1) an allocation on the installment rows, one UPDATE per row."""
	by_number = {r.installment_number: r for r in rows}
	li = frappe.qb.DocType("Loan Installment")
	for line in allocation.lines:
		row = by_number[line.number]
		principal_paid = to_money(row.principal_paid) + sign * line.principal
		interest_paid = to_money(row.interest_paid) + sign * line.interest
		penalty_paid = to_money(row.penalty_paid) + sign * line.penalty
		due = to_money(row.principal_amount) + to_money(row.interest_amount) + to_money(row.penalty_amount)
		remaining = due - principal_paid - interest_paid - penalty_paid
		status = installment_status(due, principal_paid + interest_paid + penalty_paid)
		(
			frappe.qb.update(li)
			.set(li.principal_paid, principal_paid)
			.set(li.interest_paid, interest_paid)
			.set(li.penalty_paid, penalty_paid)
			.set(li.outstanding_amount, remaining)
			.set(li.status, status)
			.set(li.last_payment_date, getdate(posting_date) if sign > 0 else None)
			.set(li.modified, now())
			.where(li.name == row.name)
			.run()
		)


def refresh_loan(loan: str, as_of: date | None = None, reason: str = "refresh", reference=None) -> dict:
	"""Recompute the loan's outstanding, total paid, DPD, aging bucket, collectibility and status from its
	installments and write what changed, through the one writer (``servicing.state.refresh_loans``): a loan
	whose outstanding reaches 0 is Closed, a Closed loan that owes again (a reversed payment) is Active again,
	and each such change is recorded with ``reason`` (``"payment"``, ``"reversal"``…) and ``reference`` (the
	document that caused it). Returns the stored figures (Rupiah, days) and, when it changed, ``status``."""
	from pinjaman_online.servicing.state import read_loans, refresh_loans

	as_of = getdate(as_of or today())
	# The loan is locked before its installments are read: under REPEATABLE READ the installments' read then
	# sees every payment that committed while this transaction waited for the loan's lock.
	loans = read_loans([loan])
	if not loans:
		return {}
	before = loans[loan].status
	state = refresh_loans({loan: as_of}, reason, loans=loans, reference=reference)[loan]
	values = {
		"outstanding_principal": state.outstanding_principal,
		"outstanding_interest": state.outstanding_interest,
		"outstanding_penalty": state.outstanding_penalty,
		"total_paid": state.total_paid,
		"days_past_due": state.days_past_due,
		"aging_bucket": state.aging_bucket,
		"collectibility": state.collectibility,
	}
	if state.status != before:
		values.update(status=state.status, closed_date=state.closed_date)
	return values


def loan_outstanding(loan: str, as_of: date | None = None) -> dict:
	"""Outstanding of a loan in Rupiah: all unpaid (principal, interest, penalty), what is overdue, and DPD."""
	as_of = getdate(as_of or today())
	dues = dues_of(installment_rows(loan))
	total, overdue = outstanding_of(dues), overdue_of(dues, as_of)
	return {
		"loan": loan,
		"as_of": str(as_of),
		"principal": str(total.principal),
		"interest": str(total.interest),
		"penalty": str(total.penalty),
		"total": str(total.total),
		"overdue": {
			"principal": str(overdue.principal),
			"interest": str(overdue.interest),
			"penalty": str(overdue.penalty),
			"total": str(overdue.total),
		},
		"days_past_due": days_past_due(dues, as_of),
	}
