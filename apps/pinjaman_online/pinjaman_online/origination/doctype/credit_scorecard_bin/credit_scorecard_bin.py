from frappe.model.document import Document


class CreditScorecardBin(Document):
	pass
