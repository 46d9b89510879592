"""Billing & reconciliation endpoints (seed 004 API §7). Lists and documents are also Frappe REST
(``/api/resource/Pension Cut Export``, ``…/Pension Cut Import``, ``…/Reconciliation Exception``,
``…/Refund Request``); the report is ``frappe.desk.query_report.run`` with ``report_name=Reconciliation
Exceptions``. Amounts in answers are Rupiah as exact decimal strings.

| Seed endpoint | Here |
|---|---|
| ``POST /billing/export`` | :func:`export` |
| ``GET /billing/export/{id}`` | :func:`get_export` |
| ``POST /billing/import`` | :func:`import_realisation` (multipart ``file``) |
| ``GET /billing/import/{id}`` | :func:`get_import` |
| ``GET /billing/unmatched?periode=`` | :func:`unmatched` |
| ``POST /billing/reconcile/{id}`` | :func:`reconcile` |
| ``GET /billing/member/{member_id}`` | :func:`member` |
"""

import frappe
from frappe import _

from pinjaman_online.api import Date, Limit, Money, Start, endpoint
from pinjaman_online.api.idempotency import idempotent
from pinjaman_online.billing import queries
from pinjaman_online.billing.manual import reconcile_exception
from pinjaman_online.billing.realisation import throw_rejected
from pinjaman_online.billing.reconciliation import ImportStateError, enqueue_matching, is_running
from pinjaman_online.lending.billing_file import LineError, ParsedFile


@frappe.whitelist(methods=["POST"])
@endpoint
def export(period: str, pension_fund: str) -> dict:
	"""``POST /billing/export``: generate the deduction instructions of ``pension_fund`` (Taspen/Asabri) for
	``period`` (YYYY-MM): the export's lines (one per installment due in the period) and its CSV file in the
	fund's format. Refused (417) when the fund already has a live export for the period.
	Returns the export's header and totals (Rupiah) and its file URL."""
	doc = frappe.get_doc({"doctype": "Pension Cut Export", "period": period, "pension_fund": pension_fund})
	doc.insert()
	doc.submit()
	return queries.export_detail(doc.name, limit=0)


@frappe.whitelist(methods=["GET"])
@endpoint
def get_export(name: str, start: Start = 0, limit: Limit = 100) -> dict:
	"""``GET /billing/export/{id}``: header, totals, lines by status and a page of lines."""
	return queries.export_detail(name, start, limit)


@frappe.whitelist(methods=["POST"])
@endpoint
def import_realisation(
	period: str,
	pension_fund: str,
	posting_date: Date | None = None,
	file_url: str | None = None,
	submit: bool = True,
) -> dict:
	"""``POST /billing/import``: upload a realisation CSV (multipart field ``file``, or the ``file_url`` of a
	file uploaded before) for ``pension_fund`` and ``period`` (YYYY-MM). The whole file is validated first:
	any bad line refuses it (417 listing each line number and reason, also as ``errors`` in the answer) and
	nothing is written; the same file twice is refused. A valid file is stored line by line and, unless
	``submit=0``, submitted: the matching job is queued on the long queue. Returns the import's header (status
	Queued, ``job_id``); follow it with :func:`get_import`."""
	if not frappe.has_permission("Pension Cut Import", "create"):
		frappe.throw(_("Not permitted to import realisation files"), frappe.PermissionError)
	file_url = file_url or _save_upload()
	doc = frappe.get_doc(
		{
			"doctype": "Pension Cut Import",
			"period": period,
			"pension_fund": pension_fund,
			"file": file_url,
			**({"posting_date": posting_date} if posting_date else {}),
		}
	)
	doc.insert()
	frappe.db.set_value(
		"File", {"file_url": file_url, "attached_to_name": ("is", "not set")},
		{"attached_to_doctype": "Pension Cut Import", "attached_to_name": doc.name, "attached_to_field": "file"},
	)  # fmt: skip
	if submit:
		doc.submit()
	return queries.import_detail(doc.name, limit=0)


def _save_upload() -> str:
	upload = frappe.request.files.get("file") if frappe.request and frappe.request.files else None
	if not upload:
		frappe.throw(_("Send the realisation file as the multipart field 'file' (or a file_url)"))
	content = upload.stream.read()
	if not content.strip():
		throw_rejected(ParsedFile(errors=[LineError(0, "The file is empty.")]), upload.filename or "The file")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": upload.filename or "realisation.csv",
			"content": content,
			"is_private": 1,
		}
	)
	file.insert()
	return file.file_url


@frappe.whitelist(methods=["GET"])
@endpoint
def get_import(name: str, start: Start = 0, limit: Limit = 100, status: str | None = None) -> dict:
	"""``GET /billing/import/{id}``: status and progress of the matching, results (counts and Rupiah per
	outcome, posted, refunds, sum of differences), the unmatched list, refund requests and a page of lines
	(optionally only those of ``status``: Pending, Matched, Short, Over, Unmatched, Reversed)."""
	return queries.import_detail(name, start, limit, status)


@frappe.whitelist(methods=["POST"])
@endpoint
def resume_import(name: str) -> dict:
	"""Queue the matching of a submitted import again (after a failed or killed run): it continues with the
	lines still Pending; nothing is posted twice. Refused while a run is in progress."""
	doc = frappe.get_doc("Pension Cut Import", name)
	doc.check_permission("submit")
	if doc.docstatus != 1 or doc.status in ("Reconciled", "Cancelled"):
		frappe.throw(_("Import {0} is {1}: nothing to resume").format(name, doc.status), exc=ImportStateError)
	if is_running(name):
		frappe.throw(_("Import {0} is being matched right now").format(name), exc=ImportStateError)
	frappe.db.set_value("Pension Cut Import", name, "status", "Queued", update_modified=False)
	return {"name": name, "job_id": enqueue_matching(name), "status": "Queued"}


@frappe.whitelist(methods=["GET"])
@endpoint
def unmatched(periode: str, pension_fund: str | None = None, status: str | None = "Open") -> list[dict]:
	"""``GET /billing/unmatched?periode=YYYY-MM``: the reconciliation exceptions of the period (open ones by
	default; ``status=`` empty for all), optionally of one fund."""
	return queries.unmatched_list(periode, pension_fund, status or None)


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def reconcile(
	exception: str,
	action: str = "post",
	loan: str | None = None,
	amount: Money | None = None,
	member: str | None = None,
	reason: str | None = None,
) -> dict:
	"""``POST /billing/reconcile/{id}``: resolve an open exception by hand. ``action=post`` posts the deduction
	on ``loan`` (default: the member's only active loan) for ``amount`` Rupiah (default: all deducted; capped at
	what the loan owes, the rest becomes a refund request); ``action=refund`` makes a refund request to
	``member``; ``action=dismiss`` closes it with a ``reason``. Returns the exception's resolution."""
	return reconcile_exception(
		exception, action, loan, None if amount is None else str(amount), member, reason
	)


@frappe.whitelist(methods=["GET"])
@endpoint
def member(member: str) -> dict:
	"""``GET /billing/member/{member_id}``: the member's deduction history per period (newest first): billed
	instructions, deductions realised with their outcome, payments, refunds and exceptions."""
	return queries.member_history(member)
