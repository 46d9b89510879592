"""Changes to a running loan: restructuring, early settlement, manual penalties, payment reversal
(seed 004 §4 LMS steps 5–8). Each is a submittable document whose controller calls these functions."""

import frappe
from frappe import _
from frappe.utils import getdate, now

from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.money import format_rupiah
from pinjaman_online.lending.payoff import PayoffLine, payoff_quote
from pinjaman_online.lending.restructure import restructured_terms
from pinjaman_online.lending.schedule import generate_schedule
from pinjaman_online.servicing.utils import LoanStateError, insert_installments, refresh_loan
from pinjaman_online.utils import lock_row, throw_lending_error, to_money

LIVE = ("Active", "Default")


def allocation_orders(loans) -> dict[str, str]:
	"""Loan name -> its product's repayment allocation order (Loan Product ``allocation_order``, one of
	``lending.allocation.STRATEGIES``; the default order when the product has none), for ``loans``."""
	from pinjaman_online.lending.allocation import DEFAULT_STRATEGY

	loans = list(loans)
	if not loans:
		return {}
	rows = frappe.db.sql(
		"""SELECT l.name, p.allocation_order FROM `tabLoan` l
		LEFT JOIN `tabLoan Product` p ON p.name = l.loan_product WHERE l.name IN %(loans)s""",
		{"loans": loans},
	)
	return {name: order or DEFAULT_STRATEGY for name, order in rows}


def restore_last_payment_date(loans) -> None:
	"""Set each loan's ``last_payment_date`` to the posting date of its newest submitted Loan Payment (empty
	when none is left): after payments are cancelled or reversed."""
	loans = list(loans)
	if not loans:
		return
	frappe.db.sql(
		"""UPDATE `tabLoan` l SET l.last_payment_date = (
			SELECT MAX(p.posting_date) FROM `tabLoan Payment` p WHERE p.loan = l.name AND p.docstatus = 1)
		WHERE l.name IN %(loans)s""",
		{"loans": loans},
	)


def live_loan(loan_name: str, for_update: bool = False):
	if for_update:
		lock_row("Loan", loan_name)
	loan = frappe.get_doc("Loan", loan_name)
	if loan.status not in LIVE:
		frappe.throw(
			_("Loan {0} is {1}: only an active or defaulted loan can be changed").format(
				frappe.bold(loan_name), _(loan.status, context="Loan")
			),
			title=_("Loan not active"),
			exc=LoanStateError,
		)
	return loan


def _rows(loan: str, for_update: bool = False):
	li = frappe.qb.DocType("Loan Installment")
	query = (
		frappe.qb.from_(li)
		.select("*")
		.where((li.loan == loan) & (li.status != "Cancelled"))
		.orderby(li.due_date)
		.orderby(li.installment_number)
	)
	return (query.for_update() if for_update else query).run(as_dict=True)


# ------------------------------------------------------------------ restructuring
def restructure_plan(doc) -> tuple:
	"""(rows rescheduled, new Schedule) for a Loan Restructure; fills the document's preview fields."""
	loan = live_loan(doc.loan)
	effective = getdate(doc.effective_date)
	later = [r for r in _rows(loan.name) if getdate(r.due_date) >= effective]
	for row in later:
		if to_money(row.principal_paid) or to_money(row.interest_paid) or to_money(row.penalty_paid):
			frappe.throw(
				_(
					"Installment {0} (due {1}) already has a payment: restructure from a later effective date"
				).format(row.installment_number, frappe.format(row.due_date, "Date")),
				title=_("Cannot restructure"),
			)
	principal = sum((to_money(r.principal_amount) for r in later), to_money(0))
	try:
		terms = restructured_terms(
			doc.restructure_type,
			principal,
			to_money(loan.annual_interest_rate),
			len(later),
			getdate(later[0].due_date) if later else effective,
			loan.interest_method,
			to_money(loan.rounding_unit or 1),
			new_tenor_months=doc.new_tenor_months or None,
			new_annual_rate_pct=None
			if doc.restructure_type != "Rate Reduction"
			else to_money(doc.new_annual_interest_rate),
			deferral_months=int(doc.deferral_months or 0),
		)
		schedule = generate_schedule(terms)
	except LendingError as exc:
		throw_lending_error(exc, _("Cannot restructure"))
	doc.outstanding_principal = principal
	doc.remaining_installments = len(later)
	doc.old_installment = loan.installment_amount
	doc.new_installment = schedule.regular_installment
	doc.new_first_due_date = schedule.terms.first_due_date
	doc.new_maturity_date = schedule.maturity_date
	return later, schedule


def apply_restructure(doc):
	"""Replace the installments due from the effective date with the new schedule (rows are cancelled, never
	deleted) and update the loan's terms."""
	live_loan(doc.loan, for_update=True)
	later, schedule = restructure_plan(doc)
	loan = frappe.get_doc("Loan", doc.loan)
	names = [r.name for r in later]
	if names:
		li = frappe.qb.DocType("Loan Installment")
		frappe.qb.update(li).set(li.status, "Cancelled").set(li.outstanding_amount, 0).set(
			li.modified, now()
		).where(li.name.isin(names)).run()
	last_number = frappe.db.sql(
		"select max(installment_number) from `tabLoan Installment` where loan=%s", loan.name
	)[0][0]
	# Penalties charged on the rescheduled installments stay owed: they move to the first new installment.
	carried = sum((to_money(r.penalty_amount) for r in later), to_money(0))
	insert_installments(loan.name, schedule, first_number=last_number + 1, carried_penalty=carried)
	loan.tenor_months = frappe.db.count(
		"Loan Installment", {"loan": loan.name, "status": ("!=", "Cancelled")}
	)
	loan.annual_interest_rate = schedule.terms.annual_rate_pct
	loan.installment_amount = schedule.regular_installment
	loan.maturity_date = schedule.maturity_date
	loan.restructure_count = (loan.restructure_count or 0) + 1
	loan.flags.ignore_permissions = True
	loan.save(ignore_version=False)
	refresh_loan(loan.name, doc.effective_date, reason="restructure", reference=doc)
	loan.add_comment("Info", _("Restructured by {0}: {1}").format(doc.name, _(doc.restructure_type)))


# ------------------------------------------------------------------ early settlement
def payoff_for(loan_name: str, as_of, early_pct=None):
	"""The payoff quote of a loan on ``as_of`` (see lending.payoff), plus the rows it was computed from."""
	loan = frappe.get_doc("Loan", loan_name)
	if early_pct is None:
		early_pct = frappe.db.get_value("Loan Product", loan.loan_product, "early_settlement_penalty") or 0
	rows = _rows(loan_name)
	lines, previous = [], getdate(loan.disbursement_date or loan.first_due_date)
	for r in rows:
		lines.append(
			PayoffLine(
				r.installment_number,
				previous,
				getdate(r.due_date),
				to_money(r.principal_amount) - to_money(r.principal_paid),
				to_money(r.interest_amount),
				to_money(r.interest_paid),
				to_money(r.penalty_amount) - to_money(r.penalty_paid),
			)
		)
		previous = getdate(r.due_date)
	try:
		return payoff_quote(lines, getdate(as_of), to_money(early_pct)), rows
	except LendingError as exc:
		throw_lending_error(exc, _("Nothing to settle"))


def fill_settlement(doc):
	live_loan(doc.loan)
	quote, rows = payoff_for(doc.loan, doc.settlement_date)
	doc.principal, doc.interest, doc.penalty = quote.principal, quote.interest, quote.penalty
	doc.early_settlement_fee, doc.waived_interest, doc.total_amount = (
		quote.fee,
		quote.waived_interest,
		quote.total,
	)
	doc.set(
		"adjustments",
		[
			{
				"loan_installment": r.name,
				"installment_number": r.installment_number,
				"interest_before": r.interest_amount,
				"interest_after": quote.interest_by_installment[r.installment_number],
			}
			for r in rows
			if to_money(r.interest_amount) != quote.interest_by_installment[r.installment_number]
		],
	)
	return quote


def apply_settlement(doc):
	"""Waive the interest not accrued, then post one payment that pays everything: the loan closes.

	The payment holds the whole amount collected (``total_amount``): principal, accrued interest and
	penalties allocated to the installments, and the early-settlement fee as its own part (``fee_amount``,
	fee income, not allocated), so the payments of a loan add up to what the member paid."""
	live_loan(doc.loan, for_update=True)
	total_before = to_money(doc.total_amount)
	quote = fill_settlement(doc)
	if quote.total != total_before:
		frappe.throw(
			_("The payoff changed since the settlement was drafted (now {0}): save it again").format(
				format_rupiah(quote.total)
			)
		)
	_set_interest(doc.adjustments, "interest_after")
	payment = frappe.get_doc(
		{
			"doctype": "Loan Payment",
			"loan": doc.loan,
			"posting_date": doc.settlement_date,
			"amount": quote.total,
			"fee_amount": quote.fee,
			# a settlement paid through the gateway's virtual account (servicing.virtual_account) says so
			"payment_method": doc.flags.payment_method or "Bank Transfer",
			"reference_no": doc.reference_no or doc.name,
			"source_key": f"settlement:{doc.name}",
		}
	)
	payment.flags.ignore_permissions = True
	payment.insert()
	payment.submit()
	doc.db_set("loan_payment", payment.name)
	if frappe.db.get_value("Loan", doc.loan, "status") != "Closed":
		frappe.throw(_("Settlement did not close the loan; nothing was posted"))


def revert_settlement(doc):
	lock_row("Loan", doc.loan)
	if doc.loan_payment:
		payment = frappe.get_doc("Loan Payment", doc.loan_payment)
		payment.flags.ignore_permissions = True
		payment.cancel()
	_set_interest(doc.adjustments, "interest_before")
	refresh_loan(doc.loan, reason="settlement cancelled", reference=doc)


def _set_interest(adjustments, field: str):
	for adj in adjustments:
		interest = to_money(adj.get(field))
		row = frappe.db.get_value(
			"Loan Installment",
			adj.loan_installment,
			["principal_amount", "principal_paid", "interest_paid", "penalty_amount", "penalty_paid"],
			as_dict=True,
		)
		total = to_money(row.principal_amount) + interest
		outstanding = (
			total
			+ to_money(row.penalty_amount)
			- to_money(row.principal_paid)
			- to_money(row.interest_paid)
			- to_money(row.penalty_paid)
		)
		frappe.db.set_value(
			"Loan Installment",
			adj.loan_installment,
			{"interest_amount": interest, "total_amount": total, "outstanding_amount": outstanding},
		)


# ------------------------------------------------------------------ manual penalty
def penalty_installment(doc) -> str:
	"""The installment a manual penalty goes on: the one given, else the oldest with anything unpaid, else the last."""
	rows = _rows(doc.loan)
	if doc.loan_installment:
		if doc.loan_installment not in {r.name for r in rows}:
			frappe.throw(
				_("Installment {0} is not a live installment of loan {1}").format(
					doc.loan_installment, doc.loan
				)
			)
		return doc.loan_installment
	unpaid = [r for r in rows if r.status != "Paid"]
	return (unpaid or rows)[0 if unpaid else -1].name


def add_penalty(doc, sign: int):
	lock_row("Loan", doc.loan)
	row = frappe.db.get_value(
		"Loan Installment",
		doc.loan_installment,
		["penalty_amount", "penalty_paid", "outstanding_amount", "status"],
		as_dict=True,
	)
	amount = to_money(doc.amount) * sign
	if sign < 0 and to_money(row.penalty_amount) - to_money(row.penalty_paid) < to_money(doc.amount):
		frappe.throw(_("This penalty is already (partly) paid: reverse the payment first"))
	outstanding = to_money(row.outstanding_amount) + amount
	status = row.status
	if outstanding > 0 and status == "Paid":
		status = "Partially Paid"
	elif outstanding <= 0 and status == "Partially Paid":
		status = "Paid"
	frappe.db.set_value(
		"Loan Installment",
		doc.loan_installment,
		{
			"penalty_amount": to_money(row.penalty_amount) + amount,
			"outstanding_amount": outstanding,
			"status": status,
		},
	)
	refresh_loan(doc.loan, doc.posting_date, reason="penalty", reference=doc)


# ------------------------------------------------------------------ payment reversal
def check_reversible(payment_name: str):
	payment = frappe.get_doc("Loan Payment", payment_name)
	if payment.docstatus != 1:
		frappe.throw(_("Payment {0} is not a posted payment").format(payment_name), title=_("Cannot reverse"))
	if (payment.source_key or "").startswith("settlement:"):
		frappe.throw(
			_("Payment {0} belongs to an early settlement: cancel the settlement instead").format(
				payment_name
			)
		)
	later = frappe.get_all(
		"Loan Payment",
		filters={
			"loan": payment.loan,
			"docstatus": 1,
			"name": ("!=", payment.name),
			"creation": (">", payment.creation),
		},
		pluck="name",
	)
	if later:
		frappe.throw(
			_("Later payments exist on loan {0} ({1}): reverse them first, newest first").format(
				payment.loan, ", ".join(later)
			),
			title=_("Cannot reverse"),
		)
	return payment


def reverse_payment(reversal):
	payment = check_reversible(reversal.loan_payment)
	payment.flags.ignore_permissions = True
	payment.ignore_linked_doctypes = ("Payment Reversal",)
	payment.cancel()  # restores the schedule and outstanding exactly (Loan Payment.on_cancel)
	payment.add_comment("Info", _("Reversed by {0}: {1}").format(reversal.name, reversal.reason))
