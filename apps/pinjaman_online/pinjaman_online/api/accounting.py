"""Accounting actions: the journal export (CSV) and the allowance for losses.

- ``GET export_journal?from_date=YYYY-MM-DD&to_date=YYYY-MM-DD``: every Ledger Entry dated in the range as a CSV
  file download (``journal-<from>-<to>.csv``), one row per entry, ordered by date, journal and row; columns
  ``lending.statements.JOURNAL_EXPORT_COLUMNS`` (journal_no, posting_date, account_number, account_name, debit,
  credit, event, voucher_type, voucher_no, loan, member, is_reversal, reversal_of, remarks): comma-separated,
  UTF-8, a header row, ISO dates, amounts in whole Rupiah without separators. The roles that read the ledger
  (Finance, Auditor, Director, Koperasi Admin, System Manager: export permission on Ledger Entry) only.
- ``POST run_provisioning`` (``posting_date`` optional, default today): the allowance for losses computed and
  its difference posted (accounting.provisioning); Finance, Koperasi Admin, System Manager.
"""

import csv
import io

import frappe
from frappe import _
from frappe.utils import get_first_day, getdate, today

from pinjaman_online.api import Date, endpoint
from pinjaman_online.lending.statements import JOURNAL_EXPORT_COLUMNS

MAX_EXPORT_DAYS = 3660


def journal_csv(from_date, to_date) -> str:
	"""The journal export's CSV text for entries dated ``from_date`` to ``to_date`` (inclusive), in the format
	of ``lending.statements.journal_export_row`` (dates, amounts and the reversal flag formatted by the query,
	so that a month of a large ledger is written in one pass)."""
	rows = frappe.db.sql(
		"""select e.journal_no, date_format(e.posting_date, '%%Y-%%m-%%d'), e.account, a.account_name,
			cast(round(e.debit) as signed), cast(round(e.credit) as signed), e.event, e.voucher_type,
			e.voucher_no, e.loan, e.member, if(e.is_reversal, 1, 0), e.reversal_of, e.remarks
		from `tabLedger Entry` e left join `tabLedger Account` a on a.name = e.account
		where e.posting_date between %(start)s and %(end)s
		order by e.posting_date, e.journal_no, e.creation, e.name""",
		{"start": from_date, "end": to_date},
	)
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\r\n")
	writer.writerow(JOURNAL_EXPORT_COLUMNS)
	writer.writerows(rows)
	return out.getvalue()


@frappe.whitelist(methods=["GET"])
@endpoint
def export_journal(from_date: Date | None = None, to_date: Date | None = None) -> None:
	"""The journal export as a CSV download (see the module docstring). Default range: the current month to
	today. 403 without export permission on Ledger Entry; 417 when from_date is after to_date or the range is
	longer than ten years."""
	if not frappe.has_permission("Ledger Entry", "export"):
		frappe.throw(_("Not permitted to export the ledger"), frappe.PermissionError)
	end = getdate(to_date or today())
	start = getdate(from_date) if from_date else get_first_day(end)
	if start > end:
		frappe.throw(_("From Date must not be after To Date"), frappe.ValidationError)
	if (end - start).days > MAX_EXPORT_DAYS:
		frappe.throw(_("Export at most ten years at a time"), frappe.ValidationError)
	frappe.response["type"] = "download"
	frappe.response["filename"] = f"journal-{start}-{end}.csv"
	frappe.response["content_type"] = "text/csv; charset=utf-8"
	frappe.response["filecontent"] = journal_csv(start, end).encode("utf-8")


@frappe.whitelist(methods=["POST"])
@endpoint
def run_provisioning(posting_date: Date | None = None) -> dict:
	"""Compute the allowance for losses at ``posting_date`` (default today) and post the difference to the
	allowance booked (accounting.provisioning.run_provisioning). Returns its figures as text amounts.
	403 for roles other than Finance, Koperasi Admin, System Manager; 417 for a date in a closed period."""
	from pinjaman_online.accounting.provisioning import RUN_ROLES
	from pinjaman_online.accounting.provisioning import run_provisioning as run

	if frappe.session.user != "Administrator" and not set(frappe.get_roles()) & set(RUN_ROLES):
		frappe.throw(_("Not permitted to post the allowance for losses"), frappe.PermissionError)
	result = run(posting_date)
	return {k: (str(v) if v is not None and not isinstance(v, str) else v) for k, v in result.items()}
