import frappe
from frappe.model.document import Document


class AgingSnapshot(Document):
	pass


def on_doctype_update():
	frappe.db.add_index("Aging Snapshot", ["period", "aging_bucket"])
