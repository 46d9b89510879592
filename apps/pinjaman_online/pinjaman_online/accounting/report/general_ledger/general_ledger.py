"""General Ledger (Buku Besar): the Ledger Entry rows of a period, filtered by account, loan, voucher or event,
between an opening row (the balance of the same filter before the period) and a closing row, with a running
balance (debit − credit)."""

import frappe
from frappe import _

from pinjaman_online.accounting.report.common import check_access, date_range, money, shown
from pinjaman_online.replica import replica_reads

MAX_ROWS = 20_000
"""Entries listed at most; the totals, opening and closing always cover every entry of the filter."""
FILTER_FIELDS = ("account", "loan", "member", "voucher_no", "event", "journal_no")


def conditions(filters: dict) -> tuple[str, dict]:
	"""SQL conditions on Ledger Entry (alias ``e``) for the non-date filters, and their values."""
	where, values = [], {}
	for field in FILTER_FIELDS:
		if filters.get(field):
			where.append(f"e.`{field}` = %({field})s")
			values[field] = filters[field]
	return (" and ".join(where) or "1=1"), values


@replica_reads
def execute(filters=None):
	check_access()
	filters = filters or {}
	start, end = date_range(filters)
	where, values = conditions(filters)
	values.update(start=start, end=end, limit=MAX_ROWS + 1)
	opening, total_debit, total_credit = (
		money(v)
		for v in frappe.db.sql(
			f"""select sum(case when e.posting_date < %(start)s then e.debit - e.credit end),
				sum(case when e.posting_date >= %(start)s then e.debit end),
				sum(case when e.posting_date >= %(start)s then e.credit end)
			from `tabLedger Entry` e where {where} and e.posting_date <= %(end)s""",
			values,
		)[0]
	)
	entries = frappe.db.sql(
		f"""select e.posting_date, e.journal_no, e.account, a.account_name, e.debit, e.credit, e.event,
			e.voucher_type, e.voucher_no, e.loan, e.member, e.is_reversal, e.reversal_of, e.remarks
		from `tabLedger Entry` e left join `tabLedger Account` a on a.name = e.account
		where {where} and e.posting_date between %(start)s and %(end)s
		order by e.posting_date, e.journal_no, e.creation, e.name
		limit %(limit)s""",
		values,
		as_dict=True,
	)
	truncated = len(entries) > MAX_ROWS
	balance = opening
	data = [{"account_name": _("Opening"), "balance": opening, "bold": 1, "posting_date": start}]
	for e in entries[:MAX_ROWS]:
		debit, credit = money(e.debit), money(e.credit)
		balance += debit - credit
		data.append({**e, "debit": debit, "credit": credit, "balance": balance})
	closing = opening + total_debit - total_credit
	data.append({"account_name": _("Total"), "debit": total_debit, "credit": total_credit, "bold": 1})
	data.append({"account_name": _("Closing"), "balance": closing, "bold": 1, "posting_date": end})
	summary = [
		{"label": _("Opening"), "value": opening, "datatype": "Currency", "currency": "IDR"},
		{"label": _("Debit"), "value": total_debit, "datatype": "Currency", "currency": "IDR"},
		{"label": _("Credit"), "value": total_credit, "datatype": "Currency", "currency": "IDR"},
		{"label": _("Closing"), "value": closing, "datatype": "Currency", "currency": "IDR"},
	]
	message = _("From {0} to {1}").format(shown(start), shown(end))
	if truncated:
		message += ". " + _(
			"Only the first {0} entries are listed (totals and closing cover all): filter by account, loan or "
			"voucher, or use the journal export"
		).format(MAX_ROWS)
	return columns(), data, message, None, summary


def columns():
	def amount(fieldname, label):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 130,
		}

	return [
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "journal_no", "label": _("Journal"), "fieldtype": "Data", "width": 140},
		{
			"fieldname": "account",
			"label": _("Account"),
			"fieldtype": "Link",
			"options": "Ledger Account",
			"width": 80,
		},
		{"fieldname": "account_name", "label": _("Account Name"), "fieldtype": "Data", "width": 200},
		amount("debit", _("Debit")),
		amount("credit", _("Credit")),
		amount("balance", _("Balance")),
		{"fieldname": "event", "label": _("Event"), "fieldtype": "Data", "width": 100},
		# Data, not Link/Dynamic Link: the query report's user-permission filter would need read on DocType
		{"fieldname": "voucher_type", "label": _("Voucher Type"), "fieldtype": "Data", "width": 130},
		{"fieldname": "voucher_no", "label": _("Voucher"), "fieldtype": "Data", "width": 150},
		{"fieldname": "loan", "label": _("Loan"), "fieldtype": "Link", "options": "Loan", "width": 130},
		{"fieldname": "reversal_of", "label": _("Reversal Of"), "fieldtype": "Data", "width": 130},
		{"fieldname": "remarks", "label": _("Remarks"), "fieldtype": "Data", "width": 200},
	]
