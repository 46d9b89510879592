from frappe.model.document import Document


class LoanPaymentRequest(Document):
	pass
