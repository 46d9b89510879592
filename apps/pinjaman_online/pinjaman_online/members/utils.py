"""Member operations that span the member's child records."""

import frappe
from frappe import _
from frappe.utils import now_datetime


def verify_document(member: str, document: str, notes: str | None = None) -> dict:
	"""Mark one of the member's documents verified, recording who and when.

	Who may verify is a permission, not code: write access at permlevel 1 on Member (by default Credit
	Analyst and Koperasi Admin, editable in Role Permission Manager). Raises PermissionError otherwise.
	"""
	doc = frappe.get_doc("Member", member)
	doc.check_permission("write")
	if 1 not in doc.get_permlevel_access("write"):
		frappe.throw(
			_("You are not allowed to verify member documents"),
			frappe.PermissionError,
			title=_("Not permitted"),
		)
	row = next((r for r in doc.documents if r.name == document), None)
	if not row:
		frappe.throw(_("Member {0} has no document {1}").format(member, document), frappe.DoesNotExistError)
	row.flags.verifying = True
	row.verified, row.verified_by, row.verified_on = 1, frappe.session.user, now_datetime()
	if notes:
		row.notes = notes
	doc.save()
	return {
		"member": doc.name,
		"document": row.name,
		"verified_by": row.verified_by,
		"verified_on": str(row.verified_on),
		"documents_verified": doc.documents_verified,
	}
