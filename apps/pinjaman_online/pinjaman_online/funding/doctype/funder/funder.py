import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.funding.utils import sync_contact_permission


class Funder(Document):
	def validate(self):
		self.validate_contact_user()

	def on_update(self):
		sync_contact_permission(self)

	def validate_contact_user(self):
		if self.contact_user and "Funder" not in frappe.get_roles(self.contact_user):
			frappe.throw(
				_("Contact user {0} needs the role Funder to see the funder's settlements").format(
					frappe.bold(self.contact_user)
				),
				title=_("Contact user"),
			)
