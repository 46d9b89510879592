from frappe.model.document import Document


class SalesCommissionRate(Document):
	pass
