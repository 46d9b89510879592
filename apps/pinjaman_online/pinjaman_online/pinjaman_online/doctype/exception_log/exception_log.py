import frappe
from frappe import _
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now
from frappe.utils import now_datetime

from pinjaman_online.permissions import SystemFieldsDocument


class ExceptionLog(SystemFieldsDocument):
	"""A process exception (failed job, provider error, webhook refusal, posting failure, reconciliation
	exception) with its severity, source, document and status (seed 004 §8 ``exception_logs``).

	Written by ``pinjaman_online.monitoring``; staff change only the status and the resolution note. Kept for
	the period set in Log Settings (Frappe's own log retention), open exceptions always.
	"""

	def validate(self):
		if self.is_new() and not self.flags.ignore_permissions:
			frappe.throw(_("Exception logs are written by the system"), frappe.PermissionError)
		if self.has_value_changed("status") and not self.is_new():
			if self.status == "Open":
				self.resolved_by = self.resolved_on = None
			else:
				self.resolved_by = frappe.session.user
				self.resolved_on = now_datetime()

	@staticmethod
	def clear_old_logs(days: int = 365):
		"""Delete resolved and ignored exceptions last seen more than ``days`` days ago (Log Settings)."""
		table = frappe.qb.DocType("Exception Log")
		frappe.db.delete(
			table,
			filters=(table.status != "Open") & (table.last_occurred < (Now() - Interval(days=days))),
		)


def on_doctype_update():
	frappe.db.add_index("Exception Log", ["status", "last_occurred"])
	frappe.db.add_index("Exception Log", ["source", "title", "reference_name"])
