from frappe.model.document import Document


class CreditScoreResult(Document):
	pass
