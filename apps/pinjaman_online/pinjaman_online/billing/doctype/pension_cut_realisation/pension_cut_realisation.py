"""Pension Cut Realisation: what one import line realised on one export line (deduction instruction), with
the Loan Payment that posted it. Written only by the billing code in bulk, in the payment's transaction
(``billing.reconciliation.write_realisations``); marked *Reversed* when that payment or its import is
cancelled, never edited or deleted through any door (no DocPerm grants it; the controller refuses it to
Administrator too)."""

import frappe
from frappe import _
from frappe.model.document import Document


class RealisationImmutableError(frappe.PermissionError):
	"""A realisation written, changed or deleted other than by the billing code (HTTP 403)."""


class PensionCutRealisation(Document):
	def before_insert(self):
		refuse()

	def validate(self):
		refuse()

	def on_trash(self):
		refuse()

	def before_rename(self, old, new, merge=False):
		refuse()


def refuse():
	frappe.throw(
		_("Realisations are written by the billing code only and reversed with their payment or import"),
		RealisationImmutableError,
		title=_("Not permitted"),
	)


def on_doctype_update():
	"""Indexes: what is realised on a fund's export lines in a period (matching, the export's status)."""
	frappe.db.add_index("Pension Cut Realisation", ["pension_fund", "period", "status"])
