from frappe.model.document import Document


class RefreshToken(Document):
	pass
