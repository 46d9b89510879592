import frappe
from frappe import _
from frappe.model.document import Document


class IdempotencyKeyWriteError(frappe.PermissionError):
	"""An idempotency key written, changed or deleted other than by the app's code (HTTP 403)."""


class IdempotencyKey(Document):
	"""Written only by ``pinjaman_online.api.idempotency`` (raw statements inside the request's
	transaction) and purged by its scheduler job; no user may create, change or delete one through any door
	(REST, ``frappe.client.*``, the desk, Data Import), Administrator included."""

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
		_("Idempotency keys are kept by the system only"),
		IdempotencyKeyWriteError,
		title=_("Not permitted"),
	)
