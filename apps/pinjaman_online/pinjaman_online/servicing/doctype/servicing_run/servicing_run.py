from frappe.model.document import Document


class ServicingRun(Document):
	pass
