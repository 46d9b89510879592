"""Pension Cut Export: the monthly deduction instructions per pension fund (seed 004 §7, flow step 1).

One line per installment due by the end of the period that still has something unpaid, for loans that are
Active or Default (a defaulted pension loan is still collected by deduction) and repaid by *Pension
Deduction*, whose member belongs to the fund. The amount billed is what is still unpaid on that installment
(principal + interest + penalty − paid). Installments of earlier months left unpaid (arrears) are billed again,
each as its own line before the month's own, so the instruction is what the member owes by then and the
matching, which spreads a deduction over the lines oldest due first, realises the lines in the order the
payment pays their installments (README, *Money decisions*). Arrears carry forward month to month: an
installment is billed again when it was on the fund's export of the previous month and that month's
realisation has been imported (a submitted import of that period). One still waiting for its answer is not
instructed twice; after a month without an export or an answer the chain stops and the arrear is collected by
hand (manual reconciliation, or a payment of another channel).

Lines are rows of their own doctype (*Pension Cut Export Line*, one row per line, written with multi-row
INSERTs: :func:`pinjaman_online.utils.insert_rows`), never a child table of the export: 100,000 lines
must not be re-saved with the header.
"""

import frappe
from frappe import _
from frappe.utils import now

from pinjaman_online.billing.file_format import get_file_format
from pinjaman_online.lending.billing_file import write_export
from pinjaman_online.lending.period import Period
from pinjaman_online.servicing.bulk import money
from pinjaman_online.utils import STANDARD_FIELDS, insert_rows, to_money

LINE_FIELDS = (
	*STANDARD_FIELDS,
	"cut_export",
	"line_no",
	"period",
	"pension_fund",
	"member",
	"member_name",
	"pension_number",
	"nik",
	"loan",
	"loan_installment",
	"installment_number",
	"due_date",
	"principal",
	"interest",
	"penalty",
	"amount",
)


class EmptyExportError(frappe.ValidationError):
	pass


def billable_installments(pension_fund: str, period: Period) -> list[dict]:
	"""Installments to instruct for ``pension_fund`` in ``period`` (module docstring), ordered by pension number.

	Each row: installment ``name``, ``loan``, ``installment_number``, ``due_date``, unpaid ``principal``,
	``interest``, ``penalty`` (Rupiah) and the member's ``member``, ``member_name``, ``pension_number``, ``nik``.
	"""
	return frappe.db.sql(
		"""
		SELECT li.name, li.loan, li.installment_number, li.due_date,
			li.principal_amount - li.principal_paid AS principal,
			li.interest_amount - li.interest_paid AS interest,
			li.penalty_amount - li.penalty_paid AS penalty,
			m.name AS member, m.full_name AS member_name, m.pension_number, m.nik
		FROM `tabLoan Installment` li
		JOIN `tabLoan` l ON l.name = li.loan
		JOIN `tabMember` m ON m.name = l.member
		WHERE li.due_date <= %(end)s
			AND li.status IN ('Unpaid', 'Partially Paid')
			AND l.status IN ('Active', 'Default')
			AND l.repayment_method = 'Pension Deduction'
			AND m.pension_fund = %(fund)s
			AND (li.due_date >= %(start)s OR EXISTS (
				SELECT 1 FROM `tabPension Cut Export Line` el
				JOIN `tabPension Cut Export` e ON e.name = el.cut_export
				WHERE el.loan_installment = li.name AND e.docstatus = 1 AND e.period = %(previous)s
					AND EXISTS (
						SELECT 1 FROM `tabPension Cut Import` i
						WHERE i.docstatus = 1 AND i.pension_fund = e.pension_fund AND i.period = e.period)))
		ORDER BY m.pension_number, li.due_date, li.loan, li.installment_number
		""",
		{"start": period.start, "end": period.end, "fund": pension_fund, "previous": str(period.previous())},
		as_dict=True,
	)


def generate_export(doc) -> dict:
	"""Write the export's lines and its CSV file, and set its totals; returns the totals.

	Called when the export is submitted. Raises EmptyExportError when nothing is due for the fund in the
	period (an empty instruction file is never sent).
	"""
	fmt, _label = get_file_format(doc.pension_fund)
	period = Period(*map(int, doc.period.split("-")))
	rows = billable_installments(doc.pension_fund, period)
	stamp, user = now(), frappe.session.user
	lines, file_rows = [], []
	totals = {"principal": to_money(0), "interest": to_money(0), "penalty": to_money(0)}
	for r in rows:
		principal, interest, penalty = money(r.principal), money(r.interest), money(r.penalty)
		amount = principal + interest + penalty
		if amount <= 0:
			continue
		n = len(lines) + 1
		name = f"{doc.name}-{n:06d}"
		lines.append(
			(
				name, user, user, stamp, stamp, 0, 0, doc.name, n, doc.period, doc.pension_fund, r.member,
				r.member_name, r.pension_number, r.nik, r.loan, r.name, r.installment_number, r.due_date, principal,
				interest, penalty, amount,
			)
		)  # fmt: skip
		file_rows.append(
			{
				"pension_number": r.pension_number,
				"nik": r.nik,
				"member_name": r.member_name,
				"member": r.member,
				"period": period,
				"amount": amount,
				"reference": name,
				"loan": r.loan,
				"installment_number": r.installment_number,
				"due_date": r.due_date,
				"principal": principal,
				"interest": interest,
				"penalty": penalty,
			}
		)
		totals["principal"] += principal
		totals["interest"] += interest
		totals["penalty"] += penalty
	if not lines:
		frappe.throw(
			_("Nothing is due from {0} pensioners in {1}: no instruction file to send").format(
				doc.pension_fund, doc.period
			),
			title=_("Empty export"),
			exc=EmptyExportError,
		)
	insert_rows("Pension Cut Export Line", LINE_FIELDS, lines)
	content = write_export(file_rows, fmt)
	file_url = attach_file(doc, f"{doc.name}-{doc.pension_fund}-{doc.period}.csv", content, "file")
	values = {
		"total_lines": len(lines),
		"total_members": len({r[11] for r in lines}),
		"total_loans": len({r[15] for r in lines}),
		"total_principal": totals["principal"],
		"total_interest": totals["interest"],
		"total_penalty": totals["penalty"],
		"total_amount": totals["principal"] + totals["interest"] + totals["penalty"],
		"file": file_url,
		"generated_on": stamp,
	}
	doc.update(values)
	return values


def attach_file(doc, file_name: str, content: bytes, fieldname: str) -> str:
	"""Save ``content`` as a private File attached to ``doc`` (field ``fieldname``); returns its URL."""
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"content": content,
			"is_private": 1,
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"attached_to_field": fieldname,
		}
	)
	file.flags.ignore_permissions = True
	file.insert()
	return file.file_url
