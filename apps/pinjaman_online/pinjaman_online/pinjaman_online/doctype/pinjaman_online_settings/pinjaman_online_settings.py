from frappe.model.document import Document


class PinjamanOnlineSettings(Document):
	pass
