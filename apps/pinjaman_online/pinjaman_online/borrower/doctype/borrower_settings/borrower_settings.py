from frappe.model.document import Document


class BorrowerSettings(Document):
	pass
