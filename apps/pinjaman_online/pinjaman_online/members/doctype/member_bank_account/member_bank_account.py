from frappe.model.document import Document


class MemberBankAccount(Document):
	pass
