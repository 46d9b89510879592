"""``run_doc_method``: a controller method on a document the client sends, checked against the stored record.

Frappe's ``run_doc_method`` (``/api/method/run_doc_method``, its old names ``runserverobj`` and
``frappe.handler.*``, the ``cmd`` form field, and API v2's ``/api/v2/method/run_doc_method``) builds the
document from the request (``docs``, v2: ``document``), compares its ``modified`` with the stored record's and
then checks the permission on the client's copy. So, in Frappe 15.44:

- for a record the user may not read, the timestamp check answers first, with the stored ``modified`` in its
  message: whoever names a record learns that it exists and when it last changed;
- the record-level rules (permissions.py) are evaluated on values the client wrote (a ``member``, a branch),
  not on the stored ones.

``check_stored_record`` (an auth hook: it runs once the user is known, before the method) refuses the call,
answering as Frappe does for a record that does not exist (404), when the document names a stored record that
the user may not read. The copy's system-set fields are guarded where the app's code saves it
(``permissions.write_as_system``). Needed on v15 up to at least 15.44.2; harmless where Frappe checks the
stored record itself.
"""

import json

import frappe
from frappe import _

from pinjaman_online.login_policy import called_method
from pinjaman_online.permissions import ADMINISTRATOR, can_read_record

METHOD_NAMES = frozenset(
	{"run_doc_method", "runserverobj", "frappe.handler.run_doc_method", "frappe.handler.runserverobj"}
)


def _sent_document():
	"""The document of the request (v1 ``docs``, v2 ``document``) as a dict, or None."""
	form = frappe.local.form_dict or {}
	value = form.get("docs") or form.get("document")
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			return None
	return value if isinstance(value, dict) else None


def check_stored_record():
	"""auth_hooks: 404 for ``run_doc_method`` on a document naming a stored record the user may not read."""
	if not getattr(frappe.local, "request", None) or frappe.session.user == ADMINISTRATOR:
		return
	if called_method() not in METHOD_NAMES:
		return
	doc = _sent_document()
	if not doc or doc.get("__islocal"):
		return
	doctype, name = doc.get("doctype"), doc.get("name")
	if not isinstance(doctype, str) or not isinstance(name, str) or not name:
		return
	if not frappe.db.exists("DocType", doctype) or not frappe.db.exists(doctype, name):
		return  # Frappe answers (404 for an unknown record)
	if not can_read_record(doctype, name):
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
