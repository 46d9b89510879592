from frappe.model.document import Document


class KYCStatusHistory(Document):
	pass
