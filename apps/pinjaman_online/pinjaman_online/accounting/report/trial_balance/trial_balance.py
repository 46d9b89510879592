"""Trial Balance (Neraca Saldo): every ledger account's opening balance, the period's debits and credits and
the closing balance, as debit and credit columns; the totals of each pair are equal when every journal
balanced (double entry)."""

from frappe import _

from pinjaman_online.accounting.report.common import account_movements, check_access, date_range, shown
from pinjaman_online.lending.statements import trial_balance
from pinjaman_online.replica import replica_reads

AMOUNT_FIELDS = ("opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit")


@replica_reads
def execute(filters=None):
	check_access()
	filters = filters or {}
	start, end = date_range(filters)
	tb = trial_balance(account_movements(start, end), include_zero=bool(filters.get("show_zero")))
	data = [
		{
			"account": line.account,
			"account_name": line.account_name,
			"root_type": _(line.root_type),
			**{f: getattr(line, f) for f in AMOUNT_FIELDS},
		}
		for line in tb.lines
	]
	data.append(
		{
			"account": "",
			"account_name": _("Total"),
			"bold": 1,
			**{f: getattr(tb.totals, f) for f in AMOUNT_FIELDS},
		}
	)
	summary = [
		{
			"label": _("Debits = Credits"),
			"value": _("Yes") if tb.balanced else _("No"),
			"indicator": "Green" if tb.balanced else "Red",
			"datatype": "Data",
		},
		{"label": _("Debit in period"), "value": tb.totals.debit, "datatype": "Currency", "currency": "IDR"},
		{
			"label": _("Credit in period"),
			"value": tb.totals.credit,
			"datatype": "Currency",
			"currency": "IDR",
		},
	]
	message = _("From {0} to {1}").format(shown(start), shown(end))
	return columns(), data, message, None, summary


def columns():
	def amount(fieldname, label):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 140,
		}

	return [
		{
			"fieldname": "account",
			"label": _("Account"),
			"fieldtype": "Link",
			"options": "Ledger Account",
			"width": 90,
		},
		{"fieldname": "account_name", "label": _("Account Name"), "fieldtype": "Data", "width": 230},
		{"fieldname": "root_type", "label": _("Root Type"), "fieldtype": "Data", "width": 90},
		amount("opening_debit", _("Opening Debit")),
		amount("opening_credit", _("Opening Credit")),
		amount("debit", _("Debit")),
		amount("credit", _("Credit")),
		amount("closing_debit", _("Closing Debit")),
		amount("closing_credit", _("Closing Credit")),
	]
