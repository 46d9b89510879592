import frappe

from pinjaman_online.permissions import SystemFieldsDocument


class ReconciliationException(SystemFieldsDocument):
	"""A realisation line that could not be posted automatically (seed 004 §7–8 ``exception_logs``).

	Created by the matching job; resolved by hand through ``pinjaman_online.api.billing.reconcile`` (post on
	a loan, refund, or dismiss with a reason) or automatically when a later import matches it again.
	"""

	def validate(self):
		from pinjaman_online.api.errors import require_fields

		# what every exception comes from; the matching job writes it, a client creating one must give it
		require_fields(self, "reason", "period", "cut_import")


def on_doctype_update():
	frappe.db.add_index("Reconciliation Exception", ["pension_fund", "status", "period"])
	frappe.db.add_index("Reconciliation Exception", ["period", "status"])
	frappe.db.add_index("Reconciliation Exception", ["member", "status"])
