"""Likes, tags and followers of a record: only for who may read the record (tags: write it).

Frappe 15.44's ``frappe.desk.like.toggle_like``, ``frappe.desk.doctype.tag.tag.add_tag`` / ``add_tags`` /
``remove_tag`` and ``frappe.desk.form.document_follow.get_follow_users`` check no permission on the record they
name: any logged-in user (a borrower too) could like another member's loan (which also writes a "Liked"
comment into its timeline), tag or untag it, learn who follows it, and tell from the answers which records
exist. Each is Frappe's own function behind the check; a record the user may not read answers as one that
does not exist (404). Needed on v15 up to at least 15.44.2; harmless where Frappe checks.
"""

import frappe
from frappe import _
from frappe.desk import like
from frappe.desk.doctype.tag import tag as tags_module
from frappe.desk.form import document_follow

from pinjaman_online.permissions import can_read_record


def _readable(doctype, name):
	"""Raise DoesNotExistError (404) unless the user may read ``doctype`` ``name``."""
	if not isinstance(doctype, str) or not isinstance(name, str) or not can_read_record(doctype, name):
		frappe.throw(_("{0} {1} not found").format(_(str(doctype)), name), frappe.DoesNotExistError)


def _writable(doctype, name):
	"""Raise DoesNotExistError (404) unless the user may read ``doctype`` ``name``, PermissionError (403)
	unless they may also write it: tags are part of the record (Frappe's own tag update checks write, and
	15.44 answered a reader without write with a 500)."""
	_readable(doctype, name)
	if not frappe.has_permission(doctype, "write", name):
		frappe.throw(_("No permission to tag {0} {1}").format(_(doctype), name), frappe.PermissionError)


@frappe.whitelist()
def toggle_like(doctype, name, add=False):
	"""``frappe.desk.like.toggle_like`` on a record the user may read."""
	_readable(doctype, name)
	return like.toggle_like(doctype, name, add)


@frappe.whitelist()
def add_tag(tag, dt, dn, color=None):
	"""``frappe.desk.doctype.tag.tag.add_tag`` on a record the user may write."""
	_writable(dt, dn)
	return tags_module.add_tag(tag, dt, dn, color)


@frappe.whitelist()
def add_tags(tags, dt, docs, color=None):
	"""``frappe.desk.doctype.tag.tag.add_tags`` when the user may write every record of ``docs``."""
	names = frappe.parse_json(docs)
	if not isinstance(names, list):
		frappe.throw(_("docs must be a list of document names"), frappe.ValidationError)
	for name in names:
		_writable(dt, name)
	return tags_module.add_tags(tags, dt, docs, color)


@frappe.whitelist()
def remove_tag(tag, dt, dn):
	"""``frappe.desk.doctype.tag.tag.remove_tag`` on a record the user may write."""
	_writable(dt, dn)
	return tags_module.remove_tag(tag, dt, dn)


@frappe.whitelist()
def get_follow_users(doctype, doc_name):
	"""``frappe.desk.form.document_follow.get_follow_users`` of a record the user may read."""
	_readable(doctype, doc_name)
	return document_follow.get_follow_users(doctype, doc_name)
