from frappe.model.document import Document


class PensionFundFileColumn(Document):
	pass
