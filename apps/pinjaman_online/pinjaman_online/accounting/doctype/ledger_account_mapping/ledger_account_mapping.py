from frappe.model.document import Document


class LedgerAccountMapping(Document):
	"""A row giving the ledger account of one account role (Accounting Settings, or a Loan Product's override)."""
