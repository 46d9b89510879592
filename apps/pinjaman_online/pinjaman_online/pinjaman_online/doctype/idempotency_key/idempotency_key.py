from frappe.model.document import Document


class IdempotencyKey(Document):
	"""Written only by ``pinjaman_online.api.idempotency`` (raw statements inside the request's
	transaction); no role may create, write or delete one through a door."""
