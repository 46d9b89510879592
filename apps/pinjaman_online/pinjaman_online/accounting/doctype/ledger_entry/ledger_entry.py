import frappe
from frappe import _
from frappe.model.document import Document


class LedgerEntryImmutableError(frappe.PermissionError):
	"""A ledger entry written other than by the posting module, changed or deleted (HTTP 403)."""


class LedgerEntry(Document):
	"""One line of a journal (flat rows, like a general-ledger entry). Immutable: rows are written only by
	``pinjaman_online.accounting.posting`` (which sets ``flags.from_posting`` or inserts in bulk) and are
	corrected by reversing journals, never edited or deleted, by any user through any door (REST, RPC,
	``frappe.client.*``, bulk update, Data Import, the desk)."""

	def before_insert(self):
		if not self.flags.from_posting:
			refuse()

	def validate(self):
		if not self.is_new():
			refuse()

	def on_update(self):
		if not self.flags.from_posting:
			refuse()

	def on_trash(self):
		refuse()

	def before_rename(self, old, new, merge=False):
		refuse()


def refuse():
	frappe.throw(
		_("Ledger entries are written by the system only and corrected by reversing journals"),
		LedgerEntryImmutableError,
		title=_("Not permitted"),
	)
