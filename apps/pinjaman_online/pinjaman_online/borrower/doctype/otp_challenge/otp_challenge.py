from frappe.model.document import Document


class OTPChallenge(Document):
	pass
