"""The seed's permission codes and modules in access tokens, derived from Frappe's own permissions.

Seed 004 (User Management §4–5 and "Konsep JWT") puts ``permissions`` (``VIEW_MEMBER``,
``APPROVE_APPLICATION``, ``EXPORT_BILLING``…) and ``modules`` (``MEMBER``, ``LOS``, ``LMS``…) in every access
token. Roles and what they may do stay Frappe's (DocPerm in Role Permission Manager, Workflow transitions):
a Permission Code (data an admin edits) names one Frappe permission — a permission type on a doctype, or a
workflow action on it — and a user holds the code exactly when Frappe grants that, so a token never claims
more than Frappe allows. The claims describe the user to a client (which menus to show); every request is
still checked by Frappe with the user's own permissions.
"""

import frappe
import frappe.permissions

CACHE_KEY = "pinjaman_permission_codes"


def _codes() -> list[dict]:
	def load():
		return frappe.get_all(
			"Permission Code",
			filters={"enabled": 1},
			fields=["code", "module", "reference_doctype", "permission_type", "workflow_action"],
			order_by="code asc",
		)

	return frappe.cache.get_value(CACHE_KEY, load)


def _workflow_roles(doctype: str, action: str) -> set[str]:
	"""Roles allowed to take ``action`` in the active Workflow of ``doctype`` (empty when none)."""
	workflow = frappe.db.get_value("Workflow", {"document_type": doctype, "is_active": 1}, "name")
	if not workflow:
		return set()
	return set(
		frappe.get_all("Workflow Transition", filters={"parent": workflow, "action": action}, pluck="allowed")
	)


def _granted(doctype: str, ptype: str, user: str) -> bool:
	"""True when ``user``'s roles grant ``ptype`` on ``doctype`` (DocPerm or Custom DocPerm, level 0).

	Role permissions only: a document shared with the user (Frappe shares each user their own User record
	with write) makes ``frappe.has_permission`` without a document say yes for the whole doctype, which is
	not holding the permission."""
	if user == "Administrator":
		return True
	return bool(frappe.permissions.get_role_permissions(frappe.get_meta(doctype), user=user).get(ptype))


def holds(user: str, code: dict, roles: set[str] | None = None) -> bool:
	"""True when Frappe grants ``user`` what the Permission Code ``code`` names by their roles: its workflow
	action (a role allowed in a transition with that action, and write on the doctype) or its permission
	type on the doctype."""
	if not frappe.db.exists("DocType", code["reference_doctype"]):
		return False
	if code.get("workflow_action"):
		roles = roles if roles is not None else set(frappe.get_roles(user))
		allowed = _workflow_roles(code["reference_doctype"], code["workflow_action"])
		return bool(allowed & roles) and _granted(code["reference_doctype"], "write", user)
	return _granted(code["reference_doctype"], code["permission_type"] or "read", user)


def claims_for(user: str) -> tuple[list[str], list[str]]:
	"""``(permissions, modules)`` of ``user``'s access token: the codes they hold, sorted, and the modules of
	those codes, sorted. Administrator holds every code; codes of a switched-off module are left out."""
	from pinjaman_online.system_modules import is_enabled

	roles = set(frappe.get_roles(user))
	held = [
		c for c in _codes() if is_enabled(c["module"]) and (user == "Administrator" or holds(user, c, roles))
	]
	return sorted({c["code"] for c in held}), sorted({c["module"] for c in held})


def clear_cache(doc=None, method=None):
	"""Forget the cached codes (a Permission Code changed)."""
	frappe.cache.delete_value(CACHE_KEY)
