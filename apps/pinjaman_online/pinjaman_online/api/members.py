"""Member actions (seed 004 API §1). CRUD itself is Frappe's REST: /api/resource/Member."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from pinjaman_online.api import endpoint
from pinjaman_online.members import utils


@frappe.whitelist(methods=["POST", "PUT"])
@endpoint
def verify_document(member: str, document: str, notes: str | None = None) -> dict:
	"""`PUT /members/{id}/documents/{doc_id}/verify`: mark a member document verified (who and when).

	``document`` is the row name of the Member Document. 403 for users without permlevel-1 write on Member.
	"""
	return utils.verify_document(member, document, notes)


@frappe.whitelist(methods=["POST", "PUT"])
@endpoint
def reject_document(member: str, document: str, notes: str) -> dict:
	"""Mark a member document not accepted, with the reason for the member and the sales staff.

	``document`` is the row name of the Member Document; ``notes`` (the reason) is required. The row keeps
	who decided and when, ``verified`` is cleared, so the member's documents count as unverified until a
	new file is verified. 403 for users without permlevel-1 write on Member (as ``verify_document``).
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
	row.verified, row.verified_by, row.verified_on = 0, frappe.session.user, now_datetime()
	row.notes = _("Rejected: {0}").format(notes.strip())
	doc.save()
	return {
		"member": doc.name,
		"document": row.name,
		"verified": 0,
		"rejected_by": row.verified_by,
		"rejected_on": str(row.verified_on),
		"notes": row.notes,
		"documents_verified": doc.documents_verified,
	}
