import re

import frappe
from frappe import _
from frappe.model.document import Document


class PermissionCode(Document):
	"""A seed-style permission code (``VIEW_MEMBER``, ``APPROVE_APPLICATION``…) put in access tokens' claims:
	held by a user exactly when Frappe grants them its permission or workflow action (seed 004 §4–5
	``sys_permissions``; see ``pinjaman_online.staff_auth.permission_codes``)."""

	def validate(self):
		self.code = (self.code or "").strip().upper()
		if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,60}", self.code):
			frappe.throw(
				_(
					"A permission code is upper-case letters, digits and underscores, e.g. APPROVE_APPLICATION"
				),
				title=_("Invalid code"),
			)
		if self.workflow_action:
			workflow = frappe.db.get_value(
				"Workflow", {"document_type": self.reference_doctype, "is_active": 1}, "name"
			)
			if not workflow or not frappe.db.exists(
				"Workflow Transition", {"parent": workflow, "action": self.workflow_action}
			):
				frappe.throw(
					_("{0} has no active workflow with the action {1}").format(
						_(self.reference_doctype), frappe.bold(self.workflow_action)
					),
					title=_("Invalid workflow action"),
				)

	def on_change(self):
		from pinjaman_online.permission_codes import clear_cache

		clear_cache()

	def on_trash(self):
		self.on_change()
