from frappe.model.document import Document


class BorrowerNotificationTemplate(Document):
	pass
