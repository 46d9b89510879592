from frappe.model.document import Document


class LoanProductFunder(Document):
	pass
