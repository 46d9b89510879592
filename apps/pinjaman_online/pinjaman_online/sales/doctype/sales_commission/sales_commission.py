import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.lending.commission import commission_amount
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.permissions import SystemFieldsDocument, write_as_system
from pinjaman_online.sales.utils import commission_rate
from pinjaman_online.utils import throw_lending_error, to_money


class CommissionError(frappe.ValidationError):
	pass


class SalesCommission(SystemFieldsDocument):
	"""An agent's commission on a disbursed loan (seed 004 §2 `sales_commissions`): percent of the disbursed
	principal, Unpaid until Finance pays it; reversed (cancelled) or clawed back when the disbursement is
	cancelled."""

	def validate(self):
		from pinjaman_online.api.errors import require_fields

		require_fields(self, "loan", "commission_type")  # validate_loan reads the loan before Frappe's check
		self.validate_loan()
		if self.commission_type == "Clawback":
			self.set_clawback_amount()
		else:
			self.validate_not_duplicate()
			self.set_amount()

	def before_submit(self):
		self.status = "Unpaid"

	def before_update_after_submit(self):
		"""After submit only the payout is recorded: Unpaid -> Paid with the date (see ``mark_paid``)."""
		before = self.get_doc_before_save()
		if not (before.status == "Unpaid" and self.status == "Paid" and self.paid_on):
			frappe.throw(
				_("A submitted commission only changes from Unpaid to Paid, with the payment date"),
				exc=CommissionError,
			)

	def before_cancel(self):
		if self.status == "Paid":
			frappe.throw(
				_("Commission {0} is already paid: it is taken back by a clawback, not cancelled").format(
					self.name
				),
				exc=CommissionError,
			)
		self.status = "Reversed"

	def validate_loan(self):
		loan = frappe.db.get_value(
			"Loan",
			self.loan,
			["loan_application", "loan_product", "principal", "disbursement_date", "status"],
			as_dict=True,
		)
		self.loan_application, self.loan_product = loan.loan_application, loan.loan_product
		self.base_amount = loan.principal
		if self.commission_type == "Commission" and not loan.disbursement_date:
			frappe.throw(
				_("Loan {0} is not disbursed: commission is earned on disbursement").format(
					frappe.bold(self.loan)
				),
				exc=CommissionError,
			)
		if not self.loan_disbursement and self.commission_type == "Commission":
			self.loan_disbursement = frappe.db.get_value(
				"Loan Disbursement", {"loan": self.loan, "docstatus": 1}, "name"
			)
		if not self.posting_date:
			self.posting_date = loan.disbursement_date or getdate()

	def validate_not_duplicate(self):
		other = frappe.db.get_value(
			"Sales Commission",
			{
				"loan": self.loan,
				"commission_type": "Commission",
				"docstatus": 1,
				"name": ("!=", self.name),
			},
			"name",
		)
		if other:
			frappe.throw(
				_("Loan {0} already has commission {1}").format(frappe.bold(self.loan), other),
				title=_("Duplicate commission"),
				exc=CommissionError,
			)

	def set_amount(self):
		rate = to_money(self.rate_pct) or commission_rate(self.loan_product, self.sales_branch)
		if rate is None:
			frappe.throw(
				_("No commission rate for product {0} in branch {1}: give a rate").format(
					frappe.bold(self.loan_product), frappe.bold(self.sales_branch)
				),
				exc=CommissionError,
			)
		try:
			self.amount = commission_amount(to_money(self.base_amount), rate)
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid commission"))
		self.rate_pct = rate

	def set_clawback_amount(self):
		original = frappe.db.get_value(
			"Sales Commission",
			self.reversal_of,
			["amount", "status", "docstatus", "commission_type", "rate_pct"],
			as_dict=True,
		)
		if not original or original.docstatus != 1 or original.commission_type != "Commission":
			frappe.throw(_("A clawback reverses a submitted commission"), exc=CommissionError)
		self.amount = -to_money(original.amount)
		self.rate_pct = original.rate_pct


def mark_paid(name: str, paid_on=None, reference: str | None = None):
	"""Finance pays an unpaid commission (or settles a clawback); submitted records change status only."""
	doc = write_as_system(frappe.get_doc("Sales Commission", name), "submit")
	if doc.docstatus != 1 or doc.status != "Unpaid":
		frappe.throw(
			_("Commission {0} is {1}: only an unpaid commission can be paid").format(name, _(doc.status)),
			exc=CommissionError,
		)
	doc.status = "Paid"
	doc.paid_on = getdate(paid_on)
	doc.payment_reference = reference
	doc.save()
	return doc
