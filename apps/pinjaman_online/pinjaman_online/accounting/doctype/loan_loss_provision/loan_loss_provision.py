import frappe
from frappe import _
from frappe.model.document import Document


class LoanLossProvision(Document):
	"""One computation of the allowance for losses (accounting.provisioning): its figures by collectibility
	and the journal that brought the booked allowance to the required one. Written by the system only."""

	def before_insert(self):
		if not self.flags.from_provisioning:  # also Administrator, whom no permission hook refuses
			frappe.throw(
				_("A loan loss provision is computed by the system (Compute Allowance)"),
				frappe.PermissionError,
			)

	def on_trash(self):
		frappe.throw(
			_("A loan loss provision is part of the books and cannot be deleted"), frappe.PermissionError
		)
