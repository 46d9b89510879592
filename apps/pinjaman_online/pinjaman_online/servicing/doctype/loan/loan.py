import frappe

from pinjaman_online.permissions import SystemFieldsDocument


class Loan(SystemFieldsDocument):
	def validate(self):
		if not self.is_new() and self.has_value_changed("principal"):
			frappe.throw(
				frappe._("The principal of a booked loan cannot be edited; restructure the loan instead")
			)


def on_doctype_update():
	"""Indexes (Frappe calls this module-level hook after syncing the doctype)."""
	frappe.db.add_index("Loan", ["member", "status"])
