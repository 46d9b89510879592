"""Income Statement (Laporan Perhitungan Sisa Hasil Usaha): income and expense accounts over a period and the
SHU = total income − total expense (UU 25/1992 Pasal 45); a negative SHU is a loss."""

from frappe import _

from pinjaman_online.accounting.report.common import balances, check_access, date_range, shown
from pinjaman_online.accounting.report.common_rows import amount_columns, section_rows
from pinjaman_online.lending.statements import income_statement
from pinjaman_online.replica import replica_reads


@replica_reads
def execute(filters=None):
	check_access()
	filters = filters or {}
	start, end = date_range(filters)
	statement = income_statement(balances(end, start))
	data = section_rows(_("Income"), statement.income)
	data += section_rows(_("Expenses"), statement.expense)
	data.append({"account_name": _("Sisa Hasil Usaha (SHU)"), "amount": statement.shu, "bold": 1})
	summary = [
		{"label": _("Income"), "value": statement.income.total, "datatype": "Currency", "currency": "IDR"},
		{"label": _("Expenses"), "value": statement.expense.total, "datatype": "Currency", "currency": "IDR"},
		{
			"label": _("Sisa Hasil Usaha (SHU)"),
			"value": statement.shu,
			"indicator": "Green" if statement.shu >= 0 else "Red",
			"datatype": "Currency",
			"currency": "IDR",
		},
	]
	return amount_columns(), data, _("From {0} to {1}").format(shown(start), shown(end)), None, summary
