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
