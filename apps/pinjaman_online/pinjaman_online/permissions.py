"""Record-level permission hooks.

Role permissions (which role may read, write, submit a doctype) are DocPerms an admin edits in Role
Permission Manager. These hooks only narrow a borrower's view: a user whose only lending role is
``Member`` sees the Member record linked to their user and the applications, loans and installments of
that member. Staff roles pass through untouched.
"""

import frappe

STAFF_ROLES = frozenset(
	{
		"System Manager",
		"Koperasi Admin",
		"Sales",
		"Credit Analyst",
		"Committee SPV",
		"Committee Manager",
		"Director",
		"Finance",
		"Auditor",
	}
)


def is_borrower(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return "Member" in roles and not roles & STAFF_ROLES


def own_member(user: str) -> str | None:
	return frappe.db.get_value("Member", {"user": user}, "name")


def member_query(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if not is_borrower(user):
		return ""
	return f"`tabMember`.`user` = {frappe.db.escape(user)}"


def member_child_query(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if not is_borrower(user):
		return ""
	member = own_member(user)
	return f"`tab{doctype}`.`member` = {frappe.db.escape(member or '')}"


def installment_query(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if not is_borrower(user):
		return ""
	member = own_member(user) or ""
	return (
		"`tabLoan Installment`.`loan` in (select `name` from `tabLoan` where `member` = "
		f"{frappe.db.escape(member)})"
	)


def member_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if not is_borrower(user):
		return None
	return doc.user == user


def member_child_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if not is_borrower(user):
		return None
	return bool(doc.member) and doc.member == own_member(user)


def installment_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	user = user or frappe.session.user
	if not is_borrower(user):
		return None
	return frappe.db.get_value("Loan", doc.loan, "member") == own_member(user)


# ---- field-level writes
# Fields only the app's code sets (committee votes, pre-check results, credit scores, loan figures, statuses,
# links between records…) sit at permission level SYSTEM_PERMLEVEL. Every role that reads the doctype reads
# that level; no DocPerm grants write on it. Frappe's Document.validate_higher_perm_levels then puts back the
# stored value (a new record: the default) of every such field a client sent, on every door that saves a
# document (/api/resource, /api/v2, frappe.client.*, savedocs, apply_workflow, Data Import), before any
# controller code runs; a Table field at that level keeps its rows exactly (none added, edited or removed).
# Code that writes those fields either does it in the controller's hooks (validate, before_submit,
# before_update_after_submit…), which run after that reset, or with write_as_system below, or with db_set.

SYSTEM_PERMLEVEL = 2


def write_as_system(doc, *ptypes: str):
	"""Let the app's code save ``doc`` with the system-set fields it has written.

	Checks first that the session user has each permission in ``ptypes`` ("create", "write", "submit"…)
	on ``doc`` (raises ``frappe.PermissionError`` otherwise), then sets ``doc.flags.ignore_permissions`` so
	that the save neither checks again nor resets the fields at SYSTEM_PERMLEVEL. Returns ``doc``.
	"""
	for ptype in ptypes:
		doc.check_permission(ptype)
	doc.flags.ignore_permissions = True
	return doc


def system_fields(doctype: str) -> list[str]:
	"""The fieldnames of ``doctype`` at SYSTEM_PERMLEVEL (written by code only), in form order."""
	return [df.fieldname for df in frappe.get_meta(doctype).fields if df.permlevel == SYSTEM_PERMLEVEL]
