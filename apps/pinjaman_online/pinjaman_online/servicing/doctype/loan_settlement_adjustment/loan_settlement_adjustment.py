from frappe.model.document import Document


class LoanSettlementAdjustment(Document):
	pass
