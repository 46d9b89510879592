import frappe
from frappe.model.document import Document


class PensionCutExportLine(Document):
	"""One deduction instruction: an installment due in the period (written in bulk by the export)."""

	def onload(self):
		"""The form shows what is realised on the instruction and its status (``billing.queries``)."""
		from pinjaman_online.billing.queries import realisation_status

		self.set_onload("realisation", realisation_status(self))


def on_doctype_update():
	frappe.db.add_index("Pension Cut Export Line", ["cut_export", "line_no"])
	frappe.db.add_index("Pension Cut Export Line", ["member", "period"])
	# billing reads installments by due date (the export) and by loan and due date (posting). Loan Installment
	# declares these indexes in a static method, which Frappe 15 does not call (it calls a module-level
	# on_doctype_update): create them here too; add_index skips an index that exists already.
	frappe.db.add_index("Loan Installment", ["due_date", "status"])
	frappe.db.add_index("Loan Installment", ["loan", "due_date"])
