"""Audit trail of any document: who changed which field from what to what, and when (seed 004 §8:
"Audit trail simpan detail lengkap (user, timestamp, old_value, new_value)"). Read from Frappe's Version log
(every tracked document) and the workflow comments (approvals, rejections)."""

import json

import frappe
from frappe import _


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = {}
	if filters.get("ref_doctype"):
		conditions["ref_doctype"] = filters.ref_doctype
	if filters.get("docname"):
		conditions["docname"] = filters.docname
	if filters.get("user"):
		conditions["owner"] = filters.user
	if filters.get("from_date") and filters.get("to_date"):
		conditions["creation"] = ("between", [filters.from_date, f"{filters.to_date} 23:59:59"])
	# get_list: only the changes of documents the user may read (permissions.reference_query)
	versions = frappe.get_list(
		"Version",
		filters=conditions,
		fields=["creation", "owner", "ref_doctype", "docname", "data"],
		order_by="creation desc",
		limit=int(filters.get("limit") or 2000),
	)
	data = []
	for v in versions:
		changes = json.loads(v.data or "{}")
		for field, old, new in changes.get("changed") or []:
			data.append(_row(v, field, old, new))
		for table, row_name, _idx, fields in changes.get("row_changed") or []:
			for field, old, new in fields:
				data.append(_row(v, f"{table}[{row_name}].{field}", old, new))
		for table, row in changes.get("added") or []:
			data.append(_row(v, table, None, _("row added")))
		for table, row in changes.get("removed") or []:
			data.append(_row(v, table, _("row removed"), None))
	columns = [
		{"fieldname": "timestamp", "label": _("When"), "fieldtype": "Datetime", "width": 170},
		# Plain text, not Link columns: Frappe would otherwise demand read access to User and DocType.
		{"fieldname": "user", "label": _("User"), "fieldtype": "Data", "width": 200},
		{"fieldname": "ref_doctype", "label": _("Document Type"), "fieldtype": "Data", "width": 150},
		{"fieldname": "docname", "label": _("Document"), "fieldtype": "Data", "width": 170},
		{"fieldname": "field", "label": _("Field"), "fieldtype": "Data", "width": 170},
		{"fieldname": "old_value", "label": _("Old Value"), "fieldtype": "Data", "width": 160},
		{"fieldname": "new_value", "label": _("New Value"), "fieldtype": "Data", "width": 160},
	]
	return columns, data


def _row(version, field, old, new) -> dict:
	return {
		"timestamp": version.creation,
		"user": version.owner,
		"ref_doctype": version.ref_doctype,
		"docname": version.docname,
		"field": field,
		"old_value": None if old is None else str(old),
		"new_value": None if new is None else str(new),
	}
