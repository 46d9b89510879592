from frappe.model.document import Document


class MemberDocument(Document):
	pass
