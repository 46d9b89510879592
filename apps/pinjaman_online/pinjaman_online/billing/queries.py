"""Read models of billing for the API and the desk: export/import details, unmatched list, member history.

Every function checks the caller's read permission on the header doctype first (403 otherwise); lines are
read in pages with their header. Amounts are Rupiah (strings, exact).
"""

import frappe
from frappe import _

from pinjaman_online.billing.reconciliation import ZERO, realised_on_export_lines
from pinjaman_online.lending.period import parse_period
from pinjaman_online.utils import to_money

EXPORT_HEADER = (
	"name", "pension_fund", "period", "status", "docstatus", "generated_on", "file", "total_lines", "total_members",
	"total_loans", "total_amount", "total_principal", "total_interest", "total_penalty",
)  # fmt: skip
EXPORT_LINE = (
	"name", "line_no", "member", "member_name", "pension_number", "nik", "loan", "installment_number", "due_date",
	"principal", "interest", "penalty", "amount",
)  # fmt: skip
IMPORT_HEADER = (
	"name", "pension_fund", "period", "posting_date", "status", "docstatus", "progress", "file", "file_hash",
	"tolerance", "total_lines", "total_amount", "posted_amount", "refund_amount", "difference_amount",
	"matched_count", "short_count", "over_count", "unmatched_count", "unmatched_amount", "retried_count",
	"processed_lines", "runs", "job_id", "started_at", "finished_at", "error",
)  # fmt: skip
IMPORT_LINE = (
	"name", "line_no", "pension_number", "nik", "member_name", "amount", "status", "member", "expected_amount",
	"difference", "within_tolerance", "posted_amount", "refund_amount", "loan", "loan_payment", "refund_request",
	"exception", "reason",
)  # fmt: skip
EXCEPTION = (
	"name", "status", "reason", "message", "pension_fund", "period", "cut_import", "import_line", "line_no",
	"pension_number", "nik", "member_name", "member", "amount", "expected_amount", "resolution", "loan",
	"loan_payment", "refund_request", "resolution_note", "resolved_by", "resolved_on", "retry_count",
)  # fmt: skip


def _readable(doctype: str, name: str | None = None):
	if not frappe.has_permission(doctype, "read", doc=name):
		frappe.throw(_("Not permitted to read {0}").format(_(doctype)), frappe.PermissionError)


def _money(rows: list[dict], *fields: str) -> list[dict]:
	for row in rows:
		for f in fields:
			if f in row and row[f] is not None:
				row[f] = str(to_money(row[f]))
	return rows


def export_detail(name: str, start: int = 0, limit: int = 100) -> dict:
	"""Header, totals, what the submitted imports of its fund and period realised, and a page of lines
	(``start``, ``limit``; none with ``limit`` 0) of a Pension Cut Export, each with its realised amount and
	status."""
	_readable("Pension Cut Export", name)
	header = frappe.db.get_value("Pension Cut Export", name, EXPORT_HEADER, as_dict=True)
	if not header:
		frappe.throw(_("Pension Cut Export {0} not found").format(name), frappe.DoesNotExistError)
	realised = realised_on_export_lines(header.pension_fund, header.period) if header.docstatus == 1 else {}
	lines = frappe.get_all(
		"Pension Cut Export Line",
		filters={"cut_export": name},
		fields=list(EXPORT_LINE),
		order_by="line_no asc",
		start=start,
		page_length=limit,
	) if limit > 0 else []  # fmt: skip
	for line in lines:
		line.realised_amount = realised.get(line.name, ZERO)
		line.status = _status(line.realised_amount, line.amount)
	_money([header], "total_amount", "total_principal", "total_interest", "total_penalty")
	return {
		**header,
		"realised_amount": str(sum(realised.values(), ZERO)),
		"realised_lines": sum(1 for v in realised.values() if v > 0),
		"imports": frappe.get_all(
			"Pension Cut Import",
			filters={"pension_fund": header.pension_fund, "period": header.period, "docstatus": ("!=", 2)},
			fields=["name", "status", "total_lines", "posted_amount"],
			order_by="creation asc",
		),
		"lines": _money(lines, "principal", "interest", "penalty", "amount", "realised_amount"),
	}


def _status(realised, billed) -> str:
	"""An export line's realisation status from what was realised on it and what was billed (Rupiah)."""
	if realised >= to_money(billed):
		return "Realised"
	return "Partially Realised" if realised > 0 else "Billed"


def realisation_status(line) -> dict:
	"""What is realised on one export line (a Pension Cut Export Line document): ``{"amount": billed,
	"realised_amount", "status": Billed | Partially Realised | Realised, "realisations": how many Posted
	rows}``, Rupiah as strings; from its Posted Pension Cut Realisation rows."""
	count, realised = frappe.db.sql(
		"""SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM `tabPension Cut Realisation`
		WHERE export_line = %s AND status = 'Posted'""",
		line.name,
	)[0]
	realised = to_money(realised)
	return {
		"amount": str(to_money(line.amount)),
		"realised_amount": str(realised),
		"status": _status(realised, line.amount),
		"realisations": count,
	}


def import_detail(name: str, start: int = 0, limit: int = 100, status: str | None = None) -> dict:
	"""Header with results and progress, the unmatched list (its exceptions), its refund requests and a page
	of lines (``start``, ``limit``; none with ``limit`` 0; only those of ``status`` when given)."""
	_readable("Pension Cut Import", name)
	header = frappe.db.get_value("Pension Cut Import", name, IMPORT_HEADER, as_dict=True)
	if not header:
		frappe.throw(_("Pension Cut Import {0} not found").format(name), frappe.DoesNotExistError)
	filters = {"cut_import": name, **({"status": status} if status else {})}
	lines = frappe.get_all(
		"Pension Cut Import Line",
		filters=filters,
		fields=list(IMPORT_LINE),
		order_by="line_no asc",
		start=start,
		page_length=limit,
	) if limit > 0 else []  # fmt: skip
	exceptions = frappe.get_all(
		"Reconciliation Exception",
		filters={"cut_import": name},
		fields=list(EXCEPTION),
		order_by="line_no asc",
	)
	refunds = frappe.get_all(
		"Refund Request",
		filters={"cut_import": name},
		fields=["name", "member", "loan", "amount", "status", "import_line", "reason"],
		order_by="name asc",
	)
	_money([header], "tolerance", "total_amount", "posted_amount", "refund_amount", "difference_amount",
		"unmatched_amount")  # fmt: skip
	return {
		**header,
		"unmatched": _money(exceptions, "amount", "expected_amount"),
		"refunds": _money(refunds, "amount"),
		"lines": _money(lines, "amount", "expected_amount", "difference", "posted_amount", "refund_amount"),
	}


def unmatched_list(period: str, pension_fund: str | None = None, status: str | None = "Open") -> list[dict]:
	"""The reconciliation exceptions of a period (``GET /billing/unmatched?periode=``), by fund and line."""
	_readable("Reconciliation Exception")
	filters = {"period": str(parse_period(period))}
	if pension_fund:
		filters["pension_fund"] = pension_fund
	if status:
		filters["status"] = status
	rows = frappe.get_list(
		"Reconciliation Exception",
		filters=filters,
		fields=list(EXCEPTION),
		order_by="pension_fund asc, cut_import asc, line_no asc",
		limit_page_length=0,
	)
	return _money(rows, "amount", "expected_amount")


def member_history(member: str) -> dict:
	"""A member's deductions period by period (``GET /billing/member/{member_id}``), newest first.

	For each period: what was billed (export lines), what the funds deducted (import lines, with outcome),
	the payments posted from them, refunds and exceptions.
	"""
	frappe.get_doc("Member", member).check_permission("read")
	_readable("Pension Cut Import")
	billed = frappe.db.sql(
		"""SELECT l.period, l.pension_fund, l.cut_export, l.name, l.loan, l.installment_number, l.due_date, l.amount
		FROM `tabPension Cut Export Line` l JOIN `tabPension Cut Export` e ON e.name = l.cut_export
		WHERE l.member = %s AND e.docstatus = 1 ORDER BY l.period DESC, l.due_date""",
		member,
		as_dict=True,
	)
	realised = {}
	for fund, period in {(b.pension_fund, b.period) for b in billed}:
		realised.update(realised_on_export_lines(fund, period, member))
	for b in billed:
		b.realised_amount = realised.get(b.name, ZERO)
		b.status = _status(b.realised_amount, b.amount)
	keys = frappe.db.get_value("Member", member, ["pension_number", "nik"], as_dict=True)
	deducted = frappe.db.sql(
		"""SELECT l.period, l.pension_fund, l.cut_import, l.name, l.line_no, l.amount, l.status, l.expected_amount,
			l.difference, l.posted_amount, l.refund_amount, l.loan, l.loan_payment, l.refund_request, l.exception
		FROM `tabPension Cut Import Line` l JOIN `tabPension Cut Import` i ON i.name = l.cut_import
		WHERE i.docstatus = 1 AND (l.member = %(member)s OR (l.member IS NULL AND (
			(l.pension_number != '' AND l.pension_number = %(pn)s) OR (l.nik != '' AND l.nik = %(nik)s))))
		ORDER BY l.period DESC, l.cut_import, l.line_no""",
		{"member": member, "pn": keys.pension_number or "-", "nik": keys.nik or "-"},
		as_dict=True,
	)
	periods: dict[str, dict] = {}

	def period_of(p: str) -> dict:
		return periods.setdefault(p, {"period": p, "billed": [], "deducted": []})

	for row in _money(billed, "amount", "realised_amount"):
		period_of(row.period)["billed"].append(row)
	for row in _money(deducted, "amount", "expected_amount", "difference", "posted_amount", "refund_amount"):
		period_of(row.period)["deducted"].append(row)
	for p in periods.values():
		p["billed_total"] = str(sum((to_money(r["amount"]) for r in p["billed"]), to_money(0)))
		p["deducted_total"] = str(sum((to_money(r["amount"]) for r in p["deducted"]), to_money(0)))
		p["posted_total"] = str(sum((to_money(r["posted_amount"]) for r in p["deducted"]), to_money(0)))
	return {
		"member": member,
		"pension_number": keys.pension_number,
		"nik": keys.nik,
		"periods": sorted(periods.values(), key=lambda p: p["period"], reverse=True),
	}
