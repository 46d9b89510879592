"""Pension Cut Realisation rows for what import lines realised before the rows existed.

An import line used to keep what it realised as text in its ``export_split`` column (``export line=amount;…``,
cleared on reversal). Each pair becomes a Posted realisation row with the export line's loan and installment
and the line's submitted Loan Payment on that loan (source key ``<line>``, ``<line>/2``, ``<line>/m2``…; the
newest when a line was posted on a loan twice); then the text is cleared. Lines that already have
realisation rows are left alone, so running it again writes nothing twice.
"""

from collections import defaultdict
from decimal import Decimal

import frappe
from frappe.utils import now_datetime

from pinjaman_online.billing.reconciliation import REALISATION_FIELDS, REALISATION_SERIES
from pinjaman_online.servicing.bulk import money, reserve_names
from pinjaman_online.utils import insert_rows

BATCH = 1000


def parse_split(text: str | None) -> dict[str, Decimal]:
	"""``"line=amount;line=amount"`` as export line → Rupiah (amounts of one line added up)."""
	out: dict[str, Decimal] = {}
	for part in filter(None, (text or "").split(";")):
		name, _sep, amount = part.rpartition("=")
		if name:
			out[name] = out.get(name, Decimal(0)) + Decimal(amount)
	return out


def execute():
	if not frappe.db.has_column("Pension Cut Import Line", "export_split"):
		return
	lines = frappe.db.sql(
		"""SELECT l.name, l.owner, l.modified, l.cut_import, l.pension_fund, l.period, l.member, l.export_split
		FROM `tabPension Cut Import Line` l
		WHERE COALESCE(l.export_split, '') != ''
			AND NOT EXISTS (SELECT 1 FROM `tabPension Cut Realisation` r WHERE r.import_line = l.name)
		ORDER BY l.cut_import, l.line_no""",
		as_dict=True,
	)
	for start in range(0, len(lines), BATCH):
		migrate(lines[start : start + BATCH])


def migrate(lines: list[dict]):
	"""Write the realisation rows of ``lines`` and clear their text."""
	splits = {line.name: parse_split(line.export_split) for line in lines}
	export_lines = sorted({name for split in splits.values() for name in split})
	instructions = {}
	if export_lines:
		marks = ", ".join(["%s"] * len(export_lines))
		for row in frappe.db.sql(
			f"""SELECT name, loan, member, loan_installment, installment_number
			FROM `tabPension Cut Export Line` WHERE name IN ({marks})""",
			export_lines,
			as_dict=True,
		):
			instructions[row.name] = row
	payments = defaultdict(dict)  # line -> loan -> newest submitted payment
	for cut_import in sorted({line.cut_import for line in lines}):
		for row in frappe.db.sql(
			"""SELECT name, loan, source_key FROM `tabLoan Payment`
			WHERE docstatus = 1 AND source_key LIKE %s ORDER BY creation, name""",
			f"{cut_import}-%",
			as_dict=True,
		):
			payments[row.source_key.split("/")[0]][row.loan] = row.name
	found = [
		(line, name, amount)
		for line in lines
		for name, amount in splits[line.name].items()
		if amount > 0 and name in instructions
	]
	names = iter(reserve_names(REALISATION_SERIES, len(found)))
	stamp = now_datetime()
	rows = []
	for line, name, amount in found:
		bill = instructions[name]
		rows.append(
			(
				next(names), line.owner, "Administrator", line.modified or stamp, stamp, 0, 0, REALISATION_SERIES,
				line.cut_import, line.name, line.pension_fund, line.period, "Posted", money(amount), name,
				bill.loan_installment, bill.installment_number, line.member or bill.member, bill.loan,
				payments[line.name].get(bill.loan),
			)
		)  # fmt: skip
	insert_rows("Pension Cut Realisation", REALISATION_FIELDS, rows)
	marks = ", ".join(["%s"] * len(lines))
	frappe.db.sql(
		f"UPDATE `tabPension Cut Import Line` SET export_split = NULL WHERE name IN ({marks})",
		[line.name for line in lines],
	)
