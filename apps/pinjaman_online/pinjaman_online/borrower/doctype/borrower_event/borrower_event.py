from frappe.model.document import Document


class BorrowerEvent(Document):
	"""An event log row: written once by ``borrower.events.publish``, never edited (no write permission)."""
