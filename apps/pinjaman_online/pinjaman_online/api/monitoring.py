"""Monitoring endpoints (seed 004 §8): ``GET /logs/exceptions`` is
``GET /api/method/pinjaman_online.api.monitoring.exceptions``; ``GET /logs/audit-trails`` is the Audit Trail
report (``frappe.desk.query_report.run`` with ``report_name="Audit Trail"``)."""

import frappe
from frappe import _

from pinjaman_online.api import Date, Limit, Start, endpoint

FIELDS = (
	"name",
	"title",
	"severity",
	"source",
	"status",
	"reference_doctype",
	"reference_name",
	"occurrences",
	"first_occurred",
	"last_occurred",
	"message",
	"resolution_note",
	"resolved_by",
	"resolved_on",
)
SEVERITIES = ("Critical", "High", "Medium", "Low")
SOURCES = ("Background Job", "Reconciliation", "Posting", "Provider", "Webhook", "Web Request", "Other")
STATUSES = ("Open", "Resolved", "Ignored")


def _one_of(value: str | None, allowed: tuple, label: str):
	if value and value not in allowed:
		frappe.throw(
			_("{0} must be one of: {1}").format(_(label), ", ".join(allowed)),
			title=_("Invalid request"),
			exc=frappe.ValidationError,
		)


@frappe.whitelist(methods=["GET"])
@endpoint
def exceptions(
	severity: str | None = None,
	source: str | None = None,
	status: str | None = None,
	from_date: Date | None = None,
	to_date: Date | None = None,
	start: Start = 0,
	limit: Limit = 100,
) -> dict:
	"""Process exceptions, newest first: ``{"data": [row…], "total": n}``; each row has FIELDS.

	Filters: ``severity`` (Critical/High/Medium/Low), ``source``, ``status`` (Open/Resolved/Ignored),
	``from_date``/``to_date`` (ISO dates, on ``last_occurred``). Readable by who may read Exception Log
	(Auditor, Koperasi Admin, System Manager); others get 403."""
	if not frappe.has_permission("Exception Log", "read"):
		frappe.throw(_("Not permitted to read exception logs"), frappe.PermissionError)
	_one_of(severity, SEVERITIES, "Severity")
	_one_of(source, SOURCES, "Source")
	_one_of(status, STATUSES, "Status")
	conditions = [
		[field, "=", value]
		for field, value in (("severity", severity), ("source", source), ("status", status))
		if value
	]
	if from_date:
		conditions.append(["last_occurred", ">=", f"{from_date} 00:00:00"])
	if to_date:
		conditions.append(["last_occurred", "<=", f"{to_date} 23:59:59.999999"])
	rows = frappe.get_list(
		"Exception Log",
		filters=conditions,
		fields=list(FIELDS),
		order_by="last_occurred desc",
		limit_start=start,
		limit_page_length=limit,
	)
	total = frappe.get_list("Exception Log", filters=conditions, fields=["count(name) as n"])[0].n
	return {"data": rows, "total": total}
