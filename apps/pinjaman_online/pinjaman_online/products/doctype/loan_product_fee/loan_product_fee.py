from frappe.model.document import Document


class LoanProductFee(Document):
	pass
