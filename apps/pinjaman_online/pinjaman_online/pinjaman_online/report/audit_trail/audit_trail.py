"""Audit trail of any document: who changed which field from what to what, and when (seed 004 §8:
"Audit trail simpan detail lengkap (user, timestamp, old_value, new_value)"), read from Frappe's Version log.

Written for an auditor: fields by their labels, the document status by name (Draft, Submitted, Cancelled)
instead of Frappe's docstatus 0/1/2, Yes/No for checkboxes, amounts and dates formatted, and a child table's
row by its contents (added, removed or changed).

Filtered by one document (``reference_doctype`` + ``reference_name``; the older ``ref_doctype``/``docname`` are
accepted too), the report also lists, unless ``include_related`` is 0, the submittable documents that link to
it (for a Loan: its disbursement, payments, reversals, restructures, settlements, penalties, funder
allocations, refunds and its application): each one's creation with its main figures, as Frappe keeps no
version of an insert, and every change of it (submission, cancellation, workflow steps). Desk route of a
Loan's trail: ``/app/query-report/Audit Trail?reference_doctype=Loan&reference_name=<loan>``.

Everything is read with ``frappe.get_list``: only documents, and changes of documents, the user may read.
"""

import json
import re

import frappe
from frappe import _
from frappe.utils import cint, flt, fmt_money, get_number_format_info

DOCSTATUS = {0: "Draft", 1: "Submitted", 2: "Cancelled"}
SUMMARY_FIELDS = 8  # at most this many fields describe a created document or a child row
SUMMARY_TYPES = ("Currency", "Int", "Float", "Percent", "Date", "Select", "Link", "Data", "Check")
VERSION_LIMIT = 2000


def execute(filters=None):
	filters = frappe._dict(filters or {})
	doctype = filters.get("reference_doctype") or filters.get("ref_doctype")
	name = filters.get("reference_name") or filters.get("docname")
	limit = cint(filters.get("limit")) or VERSION_LIMIT
	common = {}
	if filters.get("user"):
		common["owner"] = filters.user
	if filters.get("from_date") and filters.get("to_date"):
		common["creation"] = ("between", [filters.from_date, f"{filters.to_date} 23:59:59"])

	data = []
	if doctype and name:
		documents = {doctype: [name]}
		if cint(filters.get("include_related", 1)):
			for related_doctype, names in related_documents(doctype, name).items():
				documents.setdefault(related_doctype, []).extend(names)
				data.extend(created_rows(related_doctype, names, common))
		for dt, names in documents.items():
			data.extend(version_rows({**common, "ref_doctype": dt, "docname": ("in", names)}, limit))
	else:
		conditions = dict(common)
		if doctype:
			conditions["ref_doctype"] = doctype
		data.extend(version_rows(conditions, limit))
	data.sort(key=lambda r: (str(r["timestamp"]), r["docname"]), reverse=True)
	return columns(), data


def columns() -> list[dict]:
	return [
		{"fieldname": "timestamp", "label": _("When"), "fieldtype": "Datetime", "width": 160},
		# Plain text, not Link columns: Frappe would otherwise demand read access to User and DocType.
		{"fieldname": "user", "label": _("User"), "fieldtype": "Data", "width": 190},
		{"fieldname": "doctype_label", "label": _("Document Type"), "fieldtype": "Data", "width": 150},
		{"fieldname": "docname", "label": _("Document"), "fieldtype": "Data", "width": 150},
		{"fieldname": "field", "label": _("Field"), "fieldtype": "Data", "width": 200},
		{"fieldname": "old_value", "label": _("Old Value"), "fieldtype": "Data", "width": 200},
		{"fieldname": "new_value", "label": _("New Value"), "fieldtype": "Data", "width": 260},
		{"fieldname": "ref_doctype", "label": _("DocType"), "fieldtype": "Data", "hidden": 1},
	]


def related_documents(doctype: str, name: str) -> dict[str, list[str]]:
	"""The submittable documents that link to ``doctype`` ``name`` through a Link field, per doctype, among
	those the user may read (doctypes the user cannot read are left out)."""
	links = frappe.get_all(
		"DocField",
		filters={"fieldtype": "Link", "options": doctype, "parenttype": "DocType"},
		fields=["parent", "fieldname"],
	)
	found: dict[str, list[str]] = {}
	for link in links:
		meta = frappe.get_meta(link.parent)
		if not meta.is_submittable or meta.istable or link.fieldname == "amended_from":
			continue
		if not frappe.has_permission(link.parent, "read"):
			continue
		names = frappe.get_list(
			link.parent,
			filters={link.fieldname: name},
			pluck="name",
			limit_page_length=0,
			order_by="creation asc",
		)
		if names:
			found.setdefault(link.parent, []).extend(n for n in names if n not in found.get(link.parent, []))
	return found


def created_rows(doctype: str, names: list[str], common: dict) -> list[dict]:
	"""One row per document: its creation, by whom, with its main figures (Frappe keeps no version of an
	insert)."""
	meta = frappe.get_meta(doctype)
	fields = summary_fields(meta)
	filters = {"name": ("in", names)}
	if common.get("owner"):
		filters["owner"] = common["owner"]
	if common.get("creation"):
		filters["creation"] = common["creation"]
	rows = []
	for doc in frappe.get_list(
		doctype, filters=filters, fields=["name", "owner", "creation", *fields], limit_page_length=0
	):
		rows.append(
			{
				"timestamp": doc.creation,
				"user": doc.owner,
				"ref_doctype": doctype,
				"doctype_label": _(doctype),
				"docname": doc.name,
				"field": _("Created"),
				"old_value": None,
				"new_value": describe(meta, doc),
			}
		)
	return rows


def version_rows(conditions: dict, limit: int) -> list[dict]:
	"""The changes recorded in Frappe's Version log for ``conditions``, one row per field (or child row)."""
	versions = frappe.get_list(
		"Version",
		filters=conditions,
		fields=["creation", "owner", "ref_doctype", "docname", "data"],
		order_by="creation desc",
		limit=limit,
	)
	data = []
	for v in versions:
		meta = frappe.get_meta(v.ref_doctype) if frappe.db.exists("DocType", v.ref_doctype) else None
		changes = json.loads(v.data or "{}")
		for field, old, new in changes.get("changed") or []:
			old_shown, new_shown = show(meta, field, old), show(meta, field, new)
			if old_shown != new_shown:  # 0 → 0.0 is no change to a reader
				data.append(_row(v, label(meta, field), old_shown, new_shown))
		for table, idx, _row_name, fields in changes.get("row_changed") or []:
			child = child_meta(meta, table)
			for field, old, new in fields:
				old_shown, new_shown = show(child, field, old), show(child, field, new)
				if old_shown != new_shown:
					where = f"{label(meta, table)} #{cint(idx) + 1}: {label(child, field)}"
					data.append(_row(v, where, old_shown, new_shown))
		for table, row in changes.get("added") or []:
			data.append(
				_row(
					v, f"{label(meta, table)}: {_('row added')}", None, describe(child_meta(meta, table), row)
				)
			)
		for table, row in changes.get("removed") or []:
			data.append(
				_row(
					v,
					f"{label(meta, table)}: {_('row removed')}",
					describe(child_meta(meta, table), row),
					None,
				)
			)
	return data


def _row(version, field: str, old, new) -> dict:
	return {
		"timestamp": version.creation,
		"user": version.owner,
		"ref_doctype": version.ref_doctype,
		"doctype_label": _(version.ref_doctype),
		"docname": version.docname,
		"field": field,
		"old_value": old,
		"new_value": new,
	}


def child_meta(meta, table: str):
	df = meta.get_field(table) if meta else None
	return (
		frappe.get_meta(df.options) if df and df.options and frappe.db.exists("DocType", df.options) else None
	)


def label(meta, fieldname: str) -> str:
	"""The translated label of ``fieldname`` (docstatus: "Document Status")."""
	if fieldname == "docstatus":
		return _("Document Status")
	df = meta.get_field(fieldname) if meta else None
	if df and df.label:
		return _(df.label)
	return _(fieldname.replace("_", " ").title())


def show(meta, fieldname: str, value) -> str | None:
	"""``value`` of ``fieldname`` as a person reads it: the status name for docstatus, Yes/No, translated
	options and workflow states, formatted amounts and dates."""
	if value is None or value == "":
		return None
	if fieldname == "docstatus":
		return _(DOCSTATUS.get(cint(value), str(value)))
	df = meta.get_field(fieldname) if meta else None
	if not df:
		return str(value)
	if df.fieldtype == "Check":
		return _("Yes") if cint(value) else _("No")
	if df.fieldtype == "Select":
		return _(str(value), context=df.parent)  # as the desk shows the doctype's options
	if df.fieldtype == "Link" and df.options == "Workflow State":
		return _(str(value))
	if df.fieldtype in ("Currency", "Float", "Percent", "Int", "Date", "Datetime"):
		try:
			return formatted(value, df)
		except (ValueError, TypeError):  # a value stored before the field's type changed
			return str(value)
	if df.fieldtype in ("Text Editor", "HTML Editor"):
		return frappe.utils.strip_html(str(value))
	return str(value)


def formatted(value, df) -> str:
	"""A number or date as the desk shows it. Money with the field's precision, else System Settings' currency
	precision (0 for Rupiah), also a value Frappe stored formatted in a Version while its server formatting read
	that 0 as unset ("Rp 180.000,00"); percentages in the number format, as amounts ("19,67%", not "19.67%")."""
	precision = (
		df.precision if df.precision not in (None, "") else frappe.db.get_default("currency_precision")
	)
	if df.fieldtype == "Currency" and precision not in (None, ""):
		if isinstance(value, str):  # as Frappe formatted it into the Version: "Rp 180.000,00" → "Rp 180.000"
			decimal = get_number_format_info(frappe.db.get_default("number_format") or "#,###.##")[0]
			return (
				re.sub(rf"{re.escape(decimal)}0+$", "", value) if decimal and not cint(precision) else value
			)
		return fmt_money(value, precision=cint(precision), currency=frappe.db.get_default("currency"))
	if df.fieldtype == "Percent":
		if isinstance(value, str):  # as Frappe formatted it into the Version: "19.67%"
			if not re.fullmatch(r"-?\d+(\.\d+)?%", value):
				return value
			value = flt(value[:-1])
		return f"{fmt_money(flt(value, 2), precision=2 if flt(value, 2) % 1 else 0)}%"
	return frappe.format_value(value, df, currency=frappe.db.get_default("currency"))


def summary_fields(meta) -> list[str]:
	"""Fields that describe a document or a child row: those shown in its list view, then the mandatory ones,
	then amounts; at most SUMMARY_FIELDS, never a table or a hidden field."""
	picked = []
	for rule in (
		lambda df: df.in_list_view,
		lambda df: df.reqd,
		lambda df: df.fieldtype == "Currency",
	):
		for df in meta.fields:
			if (
				len(picked) < SUMMARY_FIELDS
				and df.fieldname not in picked
				and df.fieldtype in SUMMARY_TYPES
				and not df.hidden
				and df.fieldname != "naming_series"
				and rule(df)
			):
				picked.append(df.fieldname)
	return picked


def describe(meta, row) -> str | None:
	"""``label: value; …`` of a document or child row's summary fields that have a value."""
	if not row:
		return None
	if not meta:
		return json.dumps(row, default=str)[:500]
	parts = []
	for fieldname in summary_fields(meta):
		raw = row.get(fieldname)
		numeric = meta.get_field(fieldname).fieldtype in ("Currency", "Float", "Percent", "Int")
		if numeric and not isinstance(raw, str) and not flt(raw):
			continue  # "Denda: Rp 0" says nothing
		value = show(meta, fieldname, raw)
		if value not in (None, "", "0") and not (
			meta.get_field(fieldname).fieldtype == "Check" and value == _("No")
		):
			parts.append(f"{label(meta, fieldname)}: {value}")
	return "; ".join(parts) or None
