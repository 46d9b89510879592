from frappe.model.document import Document


class RequiredMemberDocument(Document):
	pass
