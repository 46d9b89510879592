"""Reconciliation Exceptions (seed 004 §7–8, ``exception_logs``): realisation lines that could not be posted
automatically, with their reason, amount, age and resolution. Desk: Billing → Reconciliation Exceptions;
REST: ``GET /api/method/frappe.desk.query_report.run?report_name=Reconciliation Exceptions&filters={…}``."""

import frappe
from frappe import _
from frappe.utils import date_diff, getdate, today


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	return columns(), data(filters), None, chart(filters)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "name",
			"label": _("Exception"),
			"fieldtype": "Link",
			"options": "Reconciliation Exception",
			"width": 150,
		},
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 80},
		{"fieldname": "pension_fund", "label": _("Fund"), "fieldtype": "Data", "width": 80},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 80},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 130},
		{"fieldname": "pension_number", "label": _("Pension Number"), "fieldtype": "Data", "width": 130},
		{"fieldname": "nik", "label": _("NIK"), "fieldtype": "Data", "width": 140},
		{"fieldname": "member_name", "label": _("Name in File"), "fieldtype": "Data", "width": 150},
		{"fieldname": "member", "label": _("Member"), "fieldtype": "Link", "options": "Member", "width": 110},
		{
			"fieldname": "amount",
			"label": _("Deducted"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 120,
		},
		{
			"fieldname": "expected_amount",
			"label": _("Expected"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 120,
		},
		{"fieldname": "age_days", "label": _("Age (days)"), "fieldtype": "Int", "width": 80},
		{"fieldname": "retry_count", "label": _("Retries"), "fieldtype": "Int", "width": 70},
		{"fieldname": "resolution", "label": _("Resolution"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "loan_payment",
			"label": _("Payment"),
			"fieldtype": "Link",
			"options": "Loan Payment",
			"width": 140,
		},
		{
			"fieldname": "refund_request",
			"label": _("Refund"),
			"fieldtype": "Link",
			"options": "Refund Request",
			"width": 140,
		},
		{"fieldname": "resolved_by", "label": _("Resolved By"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "cut_import",
			"label": _("Import"),
			"fieldtype": "Link",
			"options": "Pension Cut Import",
			"width": 140,
		},
		{"fieldname": "line_no", "label": _("Line"), "fieldtype": "Int", "width": 60},
		{"fieldname": "message", "label": _("Details"), "fieldtype": "Data", "width": 300},
	]


def conditions(filters) -> dict:
	out = {}
	for key in ("period", "pension_fund", "status", "reason", "member", "cut_import"):
		if filters.get(key):
			out[key] = filters[key]
	if filters.get("from_period"):
		out["period"] = (">=", filters.from_period)
	if filters.get("to_period"):
		out.setdefault("period", ("<=", filters.to_period))
		if filters.get("from_period"):
			out["period"] = ("between", (filters.from_period, filters.to_period))
	return out


def data(filters) -> list[dict]:
	rows = frappe.get_list(
		"Reconciliation Exception",
		filters=conditions(filters),
		fields=[c["fieldname"] for c in columns() if c["fieldname"] != "age_days"]
		+ ["creation", "resolved_on"],
		order_by="period desc, pension_fund asc, cut_import asc, line_no asc",
		limit_page_length=0,
	)
	for row in rows:
		end = getdate(row.resolved_on) if row.resolved_on else getdate(today())
		row.age_days = date_diff(end, getdate(row.creation))
	return rows


def chart(filters) -> dict | None:
	counts = frappe.get_list(
		"Reconciliation Exception",
		filters=conditions(filters),
		fields=["reason", "count(name) as n"],
		group_by="reason",
		order_by="reason asc",
	)
	if not counts:
		return None
	return {
		"data": {
			"labels": [c.reason for c in counts],
			"datasets": [{"name": _("Exceptions"), "values": [c.n for c in counts]}],
		},
		"type": "bar",
	}
