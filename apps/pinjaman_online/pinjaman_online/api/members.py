"""Member actions (seed 004 API §1). CRUD itself is Frappe's REST: /api/resource/Member."""

import frappe

from pinjaman_online.api import endpoint
from pinjaman_online.members import utils


@frappe.whitelist(methods=["POST", "PUT"])
@endpoint
def verify_document(member: str, document: str, notes: str | None = None) -> dict:
	"""`PUT /members/{id}/documents/{doc_id}/verify`: mark a member document verified (who and when).

	``document`` is the row name of the Member Document. 403 for users without permlevel-1 write on Member.
	"""
	return utils.verify_document(member, document, notes)
