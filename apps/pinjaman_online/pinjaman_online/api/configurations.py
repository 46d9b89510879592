"""Global configurations over REST (seed 004 ``sys_configurations``): ``GET`` every key with its value and
where it lives, ``POST`` a new value. See ``pinjaman_online.configurations``."""

import frappe
from frappe import _

from pinjaman_online.api import endpoint
from pinjaman_online.configurations import BY_KEY, CONFIGURATIONS

ADMIN_ROLES = ("System Manager", "Koperasi Admin")


def _row(c) -> dict:
	value = frappe.get_cached_doc(c.doctype).get(c.fieldname)
	return {
		"key": c.key,
		"value": value,
		"unit": c.unit,
		"description": c.description,
		"doctype": c.doctype,
		"fieldname": c.fieldname,
		"editable": bool(frappe.has_permission(c.doctype, "write")),
	}


@frappe.whitelist(methods=["GET"])
@endpoint
def configurations(key: str | None = None) -> list[dict]:
	"""Every configuration (or the one ``key``): rows of ``{"key", "value", "unit", "description", "doctype",
	"fieldname", "editable"}``. Admins only (System Manager, Koperasi Admin): 403 otherwise; 404 for an
	unknown key."""
	frappe.only_for(ADMIN_ROLES)
	if key and key not in BY_KEY:
		frappe.throw(_("Unknown configuration {0}").format(key), frappe.DoesNotExistError)
	return [_row(c) for c in CONFIGURATIONS if not key or c.key == key]


@frappe.whitelist(methods=["POST"])
@endpoint
def set_configuration(key: str, value: str) -> dict:
	"""Set configuration ``key`` to ``value`` through its settings document (its validation and write
	permission apply: 403 without it, 417 for a value it refuses). Returns the configuration's row."""
	frappe.only_for(ADMIN_ROLES)
	c = BY_KEY.get(key)
	if not c:
		frappe.throw(_("Unknown configuration {0}").format(key), frappe.DoesNotExistError)
	doc = frappe.get_doc(c.doctype)
	doc.check_permission("write")
	df = doc.meta.get_field(c.fieldname)
	if df.fieldtype in ("Int", "Check"):
		value = _number(value, int, key)
	elif df.fieldtype in ("Percent", "Float", "Currency"):
		value = _number(value, float if df.fieldtype != "Currency" else int, key)
	elif df.fieldtype == "Select" and value not in (df.options or "").split("\n"):
		frappe.throw(
			_("{0} must be one of: {1}").format(key, ", ".join((df.options or "").split("\n"))),
			frappe.ValidationError,
		)
	doc.set(c.fieldname, value)
	doc.save()
	frappe.clear_document_cache(c.doctype, c.doctype)
	return _row(c)


def _number(value: str, kind, key: str):
	try:
		number = kind(str(value).strip())
	except ValueError:
		if kind is int:
			frappe.throw(_("{0} must be a whole number").format(key))
		frappe.throw(_("{0} must be a number").format(key))
	if number < 0:
		frappe.throw(_("{0} cannot be negative").format(key))
	return number
