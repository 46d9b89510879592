from frappe.model.document import Document


class CreditScoreLine(Document):
	pass
