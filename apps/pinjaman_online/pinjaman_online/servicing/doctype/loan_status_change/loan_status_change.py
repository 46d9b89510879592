"""Loan Status Change: one record per loan status transition (who, when, why), written only by
``servicing.state`` in bulk; nobody writes or deletes it through any door (no DocPerm grants it)."""

import frappe
from frappe.model.document import Document


class LoanStatusChange(Document):
	pass


def on_doctype_update():
	"""Index: a loan's changes in order."""
	frappe.db.add_index("Loan Status Change", ["loan", "creation"])
