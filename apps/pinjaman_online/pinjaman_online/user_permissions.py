"""Record-level access through Frappe's User Permissions (no code in permission hooks).

A sales agent gets a User Permission for their Sales Branch, so every doctype with a Link to Sales Branch
(Member, Loan Application, Sales Visit, Sales Commission, Sales Target, Sales Agent) shows them only their
branch's records; a funder's contact user gets one for their Funder. Admins see and edit these records in the
desk (User Permission) like any other.
"""

import frappe


def grant(user: str, doctype: str, value: str):
	"""Give ``user`` a User Permission on ``doctype`` ``value`` applying to every doctype, once.

	The first such permission of the user is their default value (forms prefill it); nothing happens when
	the permission exists already.
	"""
	if frappe.db.exists("User Permission", {"user": user, "allow": doctype, "for_value": value}):
		return
	has_default = frappe.db.exists("User Permission", {"user": user, "allow": doctype, "is_default": 1})
	frappe.get_doc(
		{
			"doctype": "User Permission",
			"user": user,
			"allow": doctype,
			"for_value": value,
			"apply_to_all_doctypes": 1,
			"is_default": 0 if has_default else 1,
		}
	).insert(ignore_permissions=True)
	frappe.cache.hdel("user_permissions", user)


def revoke(user: str, doctype: str, value: str):
	"""Remove ``user``'s User Permission on ``doctype`` ``value``, if any."""
	for name in frappe.get_all(
		"User Permission", filters={"user": user, "allow": doctype, "for_value": value}, pluck="name"
	):
		frappe.delete_doc("User Permission", name, ignore_permissions=True)
	frappe.cache.hdel("user_permissions", user)


def sync(user: str | None, doctype: str, value: str | None, previous_user=None, previous_value=None):
	"""Make ``user`` hold exactly the permission ``value`` that a record grants, after a change.

	Revokes what the record granted before (``previous_user`` / ``previous_value``) when it differs, then
	grants the current one (nothing when ``user`` or ``value`` is empty).
	"""
	if previous_user and previous_value and (previous_user, previous_value) != (user, value):
		revoke(previous_user, doctype, previous_value)
	if user and value:
		grant(user, doctype, value)
