import frappe
from frappe import _
from frappe.model.document import Document


class AccountingSettings(Document):
	"""The ledger's settings: the period lock (``books_closed_until``), the default accounting basis and the
	default ledger account of each account role."""

	def validate(self):
		seen = set()
		for row in self.account_mapping:
			if row.account_role in seen:
				frappe.throw(_("Account role {0} is mapped twice").format(row.account_role))
			seen.add(row.account_role)
			is_group = frappe.db.get_value("Ledger Account", row.account, "is_group")
			if is_group:
				frappe.throw(
					_("Account {0} is a group: map a role to an account that takes postings").format(
						row.account
					)
				)
