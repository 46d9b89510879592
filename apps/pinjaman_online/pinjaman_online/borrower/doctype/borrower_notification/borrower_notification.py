from frappe.model.document import Document


class BorrowerNotification(Document):
	pass
