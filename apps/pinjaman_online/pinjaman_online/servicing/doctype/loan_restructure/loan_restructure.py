import frappe
from frappe import _

from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.servicing.changes import apply_restructure, restructure_plan


class LoanRestructure(SystemFieldsDocument):
	def validate(self):
		self.validate_one_open_per_loan()
		restructure_plan(self)

	def on_submit(self):
		apply_restructure(self)

	def before_cancel(self):
		frappe.throw(_("An applied restructure is not undone: correct it with a new restructure"))

	def validate_one_open_per_loan(self):
		other = frappe.db.exists(
			"Loan Restructure",
			{
				"loan": self.loan,
				"docstatus": 0,
				"name": ("!=", self.name),
				"workflow_state": ("!=", "Rejected"),
			},
		)
		if other:
			frappe.throw(
				_("Loan {0} already has a restructure awaiting approval: {1}").format(self.loan, other)
			)
