"""Modules an admin switches off and on (seed 004, User Management §6 ``sys_modules``).

A **System Module** (MEMBER, SALES, LOS, LMS, BILLING, FUNDER, ACCOUNTING, NOTIFICATION, MOBILE) covers Frappe
modules and doctypes, whitelisted methods (by Python path) and scheduled jobs (by path). While one is off,
for every user but Administrator, and nothing is deleted:

- a request naming one of its doctypes (``/api/resource``, ``/api/v2``, or a ``doctype``-like argument of any
  method: ``frappe.client.*``, reportview, search, form load, reports, number cards) or calling one of its
  methods is answered 403 with a message saying the module is off (``before_request``);
- any other read finds nothing: its doctypes' list queries get a condition no row meets and its documents are
  refused (``permission_query_conditions`` / ``has_permission`` for every doctype);
- its workspaces are hidden and its scheduled jobs stopped (Frappe's Workspace ``is_hidden`` and Scheduled Job
  Type ``stopped``), both given back when the module is switched on;
- access tokens issued from then on leave it out of their ``modules`` claim, and the permission codes of its
  module out of ``permissions`` (``permission_codes``).
"""

import frappe
from frappe import _

DOCTYPE = "System Module"
CACHE_KEY = "pinjaman_disabled_modules"
ADMINISTRATOR = "Administrator"
# Request arguments that name the doctype a method works on.
DOCTYPE_ARGUMENTS = ("doctype", "ref_doctype", "reference_doctype", "parent_doctype", "document_type", "dt")


class ModuleSwitchedOff(frappe.PermissionError):
	pass


def _lines(text: str | None) -> list[str]:
	return [line.strip() for line in (text or "").splitlines() if line.strip()]


def disabled() -> dict:
	"""The modules switched off: ``{"codes": {code: label}, "doctypes": {doctype: code}, "methods":
	[(path, code)]}``, cached until a System Module changes."""

	def load():
		out = {"codes": {}, "doctypes": {}, "methods": []}
		if not frappe.db.table_exists(DOCTYPE):
			return out
		for row in frappe.get_all(DOCTYPE, filters={"enabled": 0}, fields=["*"]):
			out["codes"][row.module_code] = row.label or row.module_code
			modules = _lines(row.frappe_modules)
			names = (
				frappe.get_all("DocType", filters={"module": ("in", modules)}, pluck="name")
				if modules
				else []
			)
			for doctype in names + _lines(row.doctypes):
				out["doctypes"][doctype] = row.module_code
			out["methods"] += [(path, row.module_code) for path in _lines(row.methods)]
		return out

	return frappe.cache.get_value(CACHE_KEY, load)


def is_enabled(code: str) -> bool:
	"""True unless the System Module ``code`` is switched off."""
	return code not in disabled()["codes"]


def module_of_doctype(doctype: str | None) -> str | None:
	"""The code of the switched-off module covering ``doctype``, or None."""
	return disabled()["doctypes"].get(doctype) if doctype else None


def module_of_method(path: str | None) -> str | None:
	"""The code of the switched-off module whose endpoints include the dotted ``path``, or None."""
	for prefix, code in disabled()["methods"]:
		if path and (path == prefix or path.startswith((prefix + ".", prefix + "_"))):
			return code
	return None


def _refuse(code: str):
	label = disabled()["codes"].get(code, code)
	frappe.throw(
		_("The {0} module is switched off by the administrator").format(_(label)),
		ModuleSwitchedOff,
		title=_("Module switched off"),
	)


def _exempt() -> bool:
	return frappe.session.user == ADMINISTRATOR or not disabled()["codes"]


def _requested_doctype(path: str) -> str | None:
	from urllib.parse import unquote

	parts = [unquote(p) for p in path.strip("/").split("/")]
	if len(parts) >= 3 and parts[:2] == ["api", "resource"]:
		return parts[2]
	if len(parts) >= 4 and parts[:2] == ["api", "v2"] and parts[2] in ("document", "doctype"):
		return parts[3]
	return None


def enforce_on_request():
	"""auth_hooks (after the user is known): 403 for a request that names a doctype or calls a method of a
	switched-off module."""
	if not getattr(frappe.local, "request", None) or _exempt():
		return
	path = frappe.request.path or ""
	code = module_of_doctype(_requested_doctype(path))
	if not code and path.startswith("/api/method/"):
		code = module_of_method(path[len("/api/method/") :].split("/")[0])
	if not code and path.startswith("/api/v2/method/"):
		code = module_of_method(path[len("/api/v2/method/") :].split("/")[0])
	if not code:
		form = frappe.local.form_dict or {}
		for key in DOCTYPE_ARGUMENTS:
			value = form.get(key)
			if isinstance(value, str) and (code := module_of_doctype(value)):
				break
	if code:
		_refuse(code)


def query_condition(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions for every doctype ("*"): no row of a switched-off module's doctype."""
	if (user or frappe.session.user) == ADMINISTRATOR:
		return ""
	return "1=0" if module_of_doctype(doctype) else ""


def has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission for every doctype ("*"): refuse a document of a switched-off module's doctype."""
	if (user or frappe.session.user) == ADMINISTRATOR:
		return None
	return False if module_of_doctype(doc.doctype) else None


def apply(doc):
	"""Hide or show the module's workspaces and stop or start its scheduled jobs, as ``doc.enabled`` says."""
	frappe.cache.delete_value(CACHE_KEY)
	hidden = 0 if doc.enabled else 1
	modules = _lines(doc.frappe_modules)
	if modules:
		for name in frappe.get_all("Workspace", filters={"module": ("in", modules)}, pluck="name"):
			frappe.db.set_value("Workspace", name, "is_hidden", hidden)
	for prefix in _lines(doc.scheduled_jobs):
		for name in frappe.get_all(
			"Scheduled Job Type", filters={"method": ("like", f"{prefix}%")}, pluck="name"
		):
			frappe.db.set_value("Scheduled Job Type", name, "stopped", hidden)
	frappe.clear_cache()


def reapply_all():
	"""after_migrate: a migrate syncs workspaces and scheduled jobs from the code; switched-off modules stay off."""
	if not frappe.db.table_exists(DOCTYPE):
		return
	for name in frappe.get_all(DOCTYPE, filters={"enabled": 0}, pluck="name"):
		apply(frappe.get_doc(DOCTYPE, name))
