from frappe.model.document import Document


class CommitteeDecision(Document):
	pass
