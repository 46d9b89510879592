import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.accounting.write_off import LIVE, write_off_figures, write_off_lines
from pinjaman_online.permissions import SystemFieldsDocument

FIGURES = ("principal", "accrued_receivable", "from_allowance", "to_expense")


class LoanWriteoff(SystemFieldsDocument):
	"""A loan taken off the books after a Director's approval (accounting.write_off)."""

	def validate(self):
		if getdate(self.posting_date) > getdate(today()):
			frappe.throw(_("A write-off cannot be dated in the future"))
		if self.docstatus == 0:
			self.fill()

	def fill(self):
		loan = frappe.db.get_value(
			"Loan",
			self.loan,
			["name", "status", "member", "loan_product", "outstanding_principal"],
			as_dict=True,
			for_update=self.docstatus == 1 or self.flags.in_submit,
		)
		if not loan or loan.status not in LIVE:
			frappe.throw(
				_("Only an active or defaulted loan can be written off; {0} is {1}").format(
					self.loan, _(loan.status, context="Loan") if loan else _("missing")
				),
				title=_("Cannot write off"),
			)
		if not loan.outstanding_principal:
			frappe.throw(_("Loan {0} owes no principal").format(self.loan), title=_("Cannot write off"))
		self.member, self.loan_product = loan.member, loan.loan_product
		self.update(write_off_figures(loan, self.posting_date))

	def before_submit(self):
		self.flags.in_submit = True
		self.fill()

	def on_submit(self):
		from pinjaman_online.accounting.posting import post_journal
		from pinjaman_online.servicing.state import set_status

		self.db_set(
			"journal_no",
			post_journal(
				"Write-off",
				self.posting_date,
				write_off_lines(self),
				self.doctype,
				self.name,
				self.loan,
				self.member,
				self.loan_product,
				remarks=self.reason,
			),
		)
		set_status(self.loan, "Written Off", "write-off", as_of=self.posting_date, reference=self)

	def before_cancel(self):
		recoveries = frappe.get_all(
			"Loan Recovery", filters={"loan": self.loan, "docstatus": 1}, pluck="name"
		)
		if recoveries:
			frappe.throw(
				_("Cancel the recoveries of this loan first: {0}").format(", ".join(recoveries)),
				title=_("Recoveries recorded"),
			)

	def on_cancel(self):
		from pinjaman_online.accounting.posting import reverse_journals
		from pinjaman_online.servicing.state import set_status

		reverse_journals(self.doctype, self.name)
		set_status(self.loan, "Default", "write-off cancelled", reference=self)
