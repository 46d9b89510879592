import frappe
from frappe import _
from frappe.utils.nestedset import NestedSet

from pinjaman_online.permissions import SystemFieldsDocument


class LedgerAccount(SystemFieldsDocument, NestedSet):
	"""An account of the chart of accounts (a tree: groups hold postable accounts).

	Journals post to accounts that are not groups and not disabled (``accounting.posting``); an account with
	ledger entries keeps its root type, and cannot become a group.
	"""

	nsm_parent_field = "parent_ledger_account"

	def validate(self):
		if self.parent_ledger_account:
			parent = frappe.db.get_value(
				"Ledger Account", self.parent_ledger_account, ["is_group", "root_type"], as_dict=True
			)
			if parent and not parent.is_group:
				frappe.throw(_("Parent account {0} is not a group").format(self.parent_ledger_account))
			if parent and parent.root_type and parent.root_type != self.root_type:
				frappe.throw(
					_("An account has the root type of its parent ({0})").format(_(parent.root_type))
				)
		if not self.is_new() and frappe.db.exists("Ledger Entry", {"account": self.name}):
			before = self.get_doc_before_save()
			if before and (before.root_type != self.root_type or (self.is_group and not before.is_group)):
				frappe.throw(
					_("Account {0} has ledger entries: its root type and group flag stay").format(self.name)
				)

	def on_update(self):
		NestedSet.on_update(self)

	def on_trash(self):
		if frappe.db.exists("Ledger Entry", {"account": self.name}):
			frappe.throw(_("Account {0} has ledger entries and cannot be deleted").format(self.name))
		NestedSet.on_trash(self, allow_root_deletion=True)
