from frappe.model.document import Document


class KYCSubmission(Document):
	pass
