from frappe.model.document import Document


class ExceptionRule(Document):
	"""Which source and severity an error gets in the Exception Log, by text in its title (data an admin edits;
	see ``pinjaman_online.monitoring.classify``)."""
