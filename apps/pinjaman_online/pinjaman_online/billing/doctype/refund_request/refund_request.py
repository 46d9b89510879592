import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.accounting.posting import post_held_money, post_refund_paid, reverse_journals
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.utils import to_money


class RefundRequestError(frappe.ValidationError):
	pass


class RefundRequest(SystemFieldsDocument):
	"""Money to give back to a member (an over-deduction of the pension, seed 004 §7 flow step 6).

	Created as a request (draft) by reconciliation; submitting it approves the payout to the member's default
	bank account; ``paid_on`` / ``payment_reference`` record the transfer.
	"""

	def validate(self):
		self.validate_amount()
		self.set_bank_account()
		self.status = "Paid" if self.paid_on else ("Approved" if self.docstatus == 1 else "Requested")

	def after_insert(self):
		# ledger: a fund's deduction to give back is owed to the member (Dr the fund's clearing account)
		post_held_money(self.doctype, [self.name], getdate())

	def before_update_after_submit(self):
		self.status = "Paid" if self.paid_on else "Approved"

	def on_update_after_submit(self):
		before = self.get_doc_before_save()
		if self.paid_on and not (before and before.paid_on):
			post_refund_paid(self)  # ledger: refunds payable paid out of the bank

	def on_submit(self):
		self.db_set("status", "Paid" if self.paid_on else "Approved")
		if self.paid_on:
			post_refund_paid(self)

	def on_cancel(self):
		self.db_set("status", "Cancelled")
		reverse_journals(self.doctype, self.name)

	def validate_amount(self):
		if to_money(self.amount) <= 0:
			frappe.throw(_("Refund amount must be above zero"), exc=RefundRequestError)

	def set_bank_account(self):
		if self.account_number or not self.member:
			return
		account = frappe.db.get_value(
			"Member Bank Account",
			{"parent": self.member, "parenttype": "Member", "is_default": 1},
			["bank_name", "account_number", "account_holder"],
			as_dict=True,
		)
		if account:
			self.update(account)


def on_doctype_update():
	frappe.db.add_index("Refund Request", ["member", "status"])
	frappe.db.add_index("Refund Request", ["cut_import"])
