from frappe.model.document import Document


class MemberContact(Document):
	pass
