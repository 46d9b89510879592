from frappe.model.document import Document


class BorrowerDevice(Document):
	pass
