from frappe.model.document import Document


class LoanPaymentAllocation(Document):
	pass
