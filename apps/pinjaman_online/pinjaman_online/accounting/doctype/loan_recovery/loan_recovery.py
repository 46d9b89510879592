import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.utils import to_money


class LoanRecovery(SystemFieldsDocument):
	"""Money received on a written-off loan: recovery income (accounting.write_off)."""

	def validate(self):
		status, member = frappe.db.get_value("Loan", self.loan, ["status", "member"]) or (None, None)
		if status != "Written Off":
			frappe.throw(
				_("A recovery is recorded on a written-off loan; {0} is {1}").format(
					self.loan, _(status or "")
				),
				title=_("Not written off"),
			)
		amount = to_money(self.amount)
		if amount <= 0 or amount != amount.to_integral_value():
			frappe.throw(_("The amount must be whole Rupiah above zero"), title=_("Invalid amount"))
		if getdate(self.posting_date) > getdate(today()):
			frappe.throw(_("A recovery cannot be dated in the future"))
		self.member = member

	def on_submit(self):
		from pinjaman_online.accounting.posting import _loan, payment_channel, post_journal
		from pinjaman_online.lending.ledger import cr, dr

		loan = _loan(self.loan)
		channel = payment_channel(self.payment_method, loan.pension_fund)
		amount = to_money(self.amount)
		self.db_set(
			"journal_no",
			post_journal(
				"Recovery",
				self.posting_date,
				[dr(channel, amount), cr("recovery_income", amount)],
				self.doctype,
				self.name,
				self.loan,
				self.member,
				loan.loan_product,
				remarks=self.reference_no,
			),
		)

	def on_cancel(self):
		from pinjaman_online.accounting.posting import reverse_journals

		reverse_journals(self.doctype, self.name)
