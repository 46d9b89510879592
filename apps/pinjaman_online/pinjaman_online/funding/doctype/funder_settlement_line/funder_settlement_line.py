from frappe.model.document import Document


class FunderSettlementLine(Document):
	pass
