"""A version of a consent text (``borrower/consents.py``): its hash is kept, and a version a borrower agreed
to is never edited (a change is a new version)."""

import frappe
from frappe import _

from pinjaman_online.lending.consent import text_hash
from pinjaman_online.permissions import SystemFieldsDocument


class ConsentTextChangedError(frappe.ValidationError):
	pass


class ConsentText(SystemFieldsDocument):
	def validate(self):
		self.version = (self.version or "").strip()
		self.set_text_hash()

	def set_text_hash(self):
		"""The SHA-256 of the text; refused (417) when the text of a version already agreed to changes."""
		new_hash = text_hash(self.text or "")
		changed = not self.is_new() and self.text_hash and new_hash != self.text_hash
		if changed and frappe.db.exists("Consent Record", {"consent_text": self.name}):
			frappe.throw(
				_(
					"Borrowers have agreed to version {0} of this text: it cannot be changed. Create a new "
					"version instead."
				).format(frappe.bold(self.version)),
				title=_("Consent text in use"),
				exc=ConsentTextChangedError,
			)
		self.text_hash = new_hash

	def on_trash(self):
		if frappe.db.exists("Consent Record", {"consent_text": self.name}):
			frappe.throw(
				_("Borrowers have agreed to this text: it cannot be deleted. Disable it instead."),
				title=_("Consent text in use"),
				exc=ConsentTextChangedError,
			)
