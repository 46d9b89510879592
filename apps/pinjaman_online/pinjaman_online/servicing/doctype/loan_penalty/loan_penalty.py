import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.accounting.posting import post_penalty, reverse_journals
from pinjaman_online.servicing.changes import add_penalty, live_loan, penalty_installment
from pinjaman_online.utils import to_money


class LoanPenalty(Document):
	def validate(self):
		live_loan(self.loan)
		if to_money(self.amount) <= 0:
			frappe.throw(_("Penalty amount must be above zero"))
		self.loan_installment = penalty_installment(self)

	def on_submit(self):
		add_penalty(self, +1)
		post_penalty(self)  # ledger: accrual basis only (penalty receivable / income)

	def on_cancel(self):
		add_penalty(self, -1)
		reverse_journals(self.doctype, self.name)
