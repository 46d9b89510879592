import frappe
from frappe.model.document import Document


class PensionCutImportLine(Document):
	"""One line of a realisation file and its outcome (written in bulk by the import and its job)."""


def on_doctype_update():
	frappe.db.add_index("Pension Cut Import Line", ["cut_import", "status", "line_no"])
	frappe.db.add_index("Pension Cut Import Line", ["member", "period"])
