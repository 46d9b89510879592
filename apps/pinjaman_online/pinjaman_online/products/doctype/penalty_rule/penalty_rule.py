from frappe.model.document import Document


class PenaltyRule(Document):
	pass
