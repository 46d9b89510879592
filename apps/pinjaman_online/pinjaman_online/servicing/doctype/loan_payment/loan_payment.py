import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.accounting.posting import post_payment, reverse_journals
from pinjaman_online.lending.allocation import Allocation, AllocationLine, allocate_payment
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.money import format_rupiah
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.servicing.amounts import refuse_amount_off_unit, refuse_fractional_amounts
from pinjaman_online.servicing.changes import allocation_orders, restore_last_payment_date
from pinjaman_online.servicing.utils import (
	LoanStateError,
	apply_allocation,
	dues_of,
	installment_rows,
	refresh_loan,
)
from pinjaman_online.utils import lock_row, throw_lending_error, to_money


class OverpaymentError(frappe.ValidationError):
	pass


REFERENCE_SHARED_BY = ("Pension Deduction",)
"""Payment methods whose reference names a batch (the pension-cut import), not one payment."""


class DuplicateReferenceError(frappe.ValidationError):
	"""A payment with the same reference already exists on the same channel (HTTP 409)."""

	http_status_code = 409


class LoanPayment(SystemFieldsDocument):
	def before_insert(self):
		# Lock the loan before the name is taken from the PAY- series: bulk posting (servicing/bulk.py) locks
		# loans first and reserves names after, so both paths take the two locks in the same order.
		if self.loan:
			lock_row("Loan", self.loan)

	def validate(self):
		from pinjaman_online.api.errors import require_fields

		require_fields(self, "loan", "amount")  # read below before Frappe's own mandatory check
		refuse_fractional_amounts(self)
		refuse_amount_off_unit(self)
		if to_money(self.amount) <= 0:
			frappe.throw(_("Payment amount must be above zero"), title=_("Invalid amount"))
		self.validate_fee()
		self.set_reference_key()
		loan = frappe.db.get_value("Loan", self.loan, ["status", "disbursement_date"], as_dict=True)
		if not loan:  # Frappe's link check lets a missing link through when the doctype fetches from it
			frappe.throw(
				_("Could not find {0}").format(f"{_('Loan')}: {self.loan}"), frappe.LinkValidationError
			)
		if loan.status not in ("Active", "Default"):
			frappe.throw(
				_("Loan {0} is {1}: payments are taken only on active loans").format(
					frappe.bold(self.loan), loan.status
				),
				title=_("Cannot post payment"),
				exc=LoanStateError,
			)
		if getdate(self.posting_date) < getdate(loan.disbursement_date):
			frappe.throw(_("Payment date is before the disbursement date"), title=_("Invalid date"))

	def before_submit(self):
		# One payment at a time per loan: the lock is held until the transaction commits.
		lock_row("Loan", self.loan)
		rows = installment_rows(self.loan, for_update=True)
		try:
			allocation = allocate_payment(
				to_money(self.amount) - to_money(self.fee_amount),
				dues_of(rows),
				allocation_orders([self.loan]).get(self.loan),
				getdate(self.posting_date),
			)
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid payment"))
		if allocation.unallocated > 0:
			frappe.throw(
				_(
					"Payment exceeds everything owed on loan {0} by {1}; use early settlement or refund the excess"
				).format(frappe.bold(self.loan), format_rupiah(allocation.unallocated)),
				title=_("Overpayment"),
				exc=OverpaymentError,
			)
		by_number = {r.installment_number: r.name for r in rows}
		self.set(
			"allocations",
			[
				{
					"loan_installment": by_number[line.number],
					"installment_number": line.number,
					"penalty": line.penalty,
					"interest": line.interest,
					"principal": line.principal,
				}
				for line in allocation.lines
			],
		)
		self.total_penalty = allocation.total_penalty
		self.total_interest = allocation.total_interest
		self.total_principal = allocation.total_principal

	def on_submit(self):
		apply_allocation(
			installment_rows(self.loan, for_update=True), self.as_allocation(), +1, self.posting_date
		)
		refresh_loan(self.loan, self.posting_date, reason="payment", reference=self)
		frappe.db.set_value("Loan", self.loan, "last_payment_date", self.posting_date)
		post_payment(self)  # ledger: clearing account / receivables and income, in this transaction

	def before_cancel(self):
		lock_row("Loan", self.loan)

	def on_cancel(self):
		apply_allocation(
			installment_rows(self.loan, for_update=True), self.as_allocation(), -1, self.posting_date
		)
		refresh_loan(self.loan, reason="reversal", reference=self)
		restore_last_payment_date([self.loan])
		reverse_journals(self.doctype, self.name)  # ledger: the payment's journal mirrored
		self.db_set("reference_key", None, update_modified=False)

	def validate_fee(self):
		"""Only an early settlement's payment carries a fee part (set by ``servicing.changes``); it is whole
		Rupiah, not negative and below the amount."""
		fee = to_money(self.fee_amount)
		if not fee:
			return
		if not (self.source_key or "").startswith("settlement:") or fee < 0 or fee >= to_money(self.amount):
			frappe.throw(
				_("Only an early settlement's payment has a fee part, below the amount collected"),
				title=_("Invalid amount"),
			)

	def set_reference_key(self):
		"""``reference_key`` = payment method and reference (trimmed; compared without case by the database's
		collation): unique among the payments that are not cancelled, by a unique index, so a retried or
		duplicated post of one transfer is refused with a 409 even when two arrive at the same moment.

		Pension deductions are the exception: their reference is the import they came from (shared by all
		its lines) and each is made unique by ``source_key`` (the import line) instead."""
		reference = " ".join((self.reference_no or "").split())
		self.reference_no = reference or None
		unique = reference and self.payment_method not in REFERENCE_SHARED_BY
		self.reference_key = f"{self.payment_method}:{reference}" if unique else None
		if not self.reference_key:
			return
		existing = frappe.db.get_value(
			"Loan Payment", {"reference_key": self.reference_key, "name": ("!=", self.name)}, "name"
		)
		if existing:
			self.throw_duplicate_reference(existing)

	def throw_duplicate_reference(self, existing: str | None = None):
		frappe.local.response["code"] = "DUPLICATE_REFERENCE"
		frappe.throw(
			_("Reference {0} was already used by payment {1} ({2}): a payment is posted once").format(
				frappe.bold(self.reference_no), existing or _("another payment"), _(self.payment_method)
			),
			title=_("Duplicate reference"),
			exc=DuplicateReferenceError,
		)

	def show_unique_validation_message(self, e):
		"""The database's unique index refused a second payment with the same reference (two posted at the
		same moment): a 409 naming the reference instead of Frappe's generic message."""
		if "reference_key" in str(e):
			self.throw_duplicate_reference()
		super().show_unique_validation_message(e)

	def as_allocation(self) -> Allocation:
		return Allocation(
			lines=tuple(
				AllocationLine(
					row.installment_number,
					to_money(row.penalty),
					to_money(row.interest),
					to_money(row.principal),
				)
				for row in self.allocations
			),
			unallocated=to_money(0),
		)
