"""A borrower's consent (``borrower/consents.py``): written only by the app (registration, application, the
consent endpoints), never through the REST API or the desk, and never changed except by its withdrawal."""

import frappe
from frappe import _
from frappe.model.document import Document


class ConsentRecord(Document):
	def before_insert(self):
		self.refuse_client_write()

	def validate(self):
		if not self.is_new():
			self.refuse_client_write()

	def on_trash(self):
		frappe.throw(_("Consent records are kept: they cannot be deleted"), frappe.PermissionError)

	def refuse_client_write(self):
		if not self.flags.consent_service:
			frappe.throw(
				_("Consent records are written only when a borrower gives or withdraws a consent"),
				frappe.PermissionError,
				title=_("Not permitted"),
			)
