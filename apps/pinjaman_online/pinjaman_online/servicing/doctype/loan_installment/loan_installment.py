import frappe
from frappe.model.document import Document


class LoanInstallment(Document):
	pass


def on_doctype_update():
	"""Billing runs by due date and status; payments and schedules read by loan and due date."""
	frappe.db.add_index("Loan Installment", ["loan", "due_date"])
	frappe.db.add_index("Loan Installment", ["due_date", "status"])
