import frappe

from pinjaman_online.permissions import SystemFieldsDocument


class Loan(SystemFieldsDocument):
	def validate(self):
		if not self.is_new() and self.has_value_changed("principal"):
			frappe.throw(
				frappe._("The principal of a booked loan cannot be edited; restructure the loan instead")
			)

	def on_update(self):
		"""A status changed by saving the loan (set by hand, a member's status) is recorded as a Loan Status
		Change with ``flags.status_reason`` (the save's own Version holds the field change)."""
		before = self.get_doc_before_save()
		if before and before.status != self.status:
			from pinjaman_online.servicing.state import record_changes

			reason = self.flags.status_reason or "status set on the loan"
			record_changes(
				[(self.name, before.status, self.status, frappe.utils.getdate(), reason)], version=False
			)


def on_doctype_update():
	"""Indexes (Frappe calls this module-level hook after syncing the doctype)."""
	frappe.db.add_index("Loan", ["member", "status"])
