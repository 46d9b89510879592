"""Balance Sheet (Neraca) at a date: assets, liabilities and equity from every entry up to that date, with the
year's SHU (income − expense not yet closed into equity) under equity; assets = liabilities + equity + SHU."""

from frappe import _

from pinjaman_online.accounting.report.common import as_of, balances, check_access, shown
from pinjaman_online.accounting.report.common_rows import amount_columns, section_rows
from pinjaman_online.lending.statements import balance_sheet
from pinjaman_online.replica import replica_reads


@replica_reads
def execute(filters=None):
	check_access()
	filters = filters or {}
	date = as_of(filters)
	sheet = balance_sheet(balances(date))
	data = section_rows(_("Assets"), sheet.assets)
	data += section_rows(_("Liabilities"), sheet.liabilities)
	data += section_rows(_("Equity"), sheet.equity)
	data.append(
		{"account_name": _("Sisa Hasil Usaha (SHU) not yet distributed"), "amount": sheet.shu, "nested": 1}
	)
	data.append(
		{
			"account_name": _("Total Liabilities, Equity and SHU"),
			"amount": sheet.total_liabilities_and_equity,
			"bold": 1,
		}
	)
	summary = [
		{"label": _("Total Assets"), "value": sheet.assets.total, "datatype": "Currency", "currency": "IDR"},
		{
			"label": _("Liabilities + Equity + SHU"),
			"value": sheet.total_liabilities_and_equity,
			"datatype": "Currency",
			"currency": "IDR",
		},
		{
			"label": _("Difference"),
			"value": sheet.difference,
			"indicator": "Green" if not sheet.difference else "Red",
			"datatype": "Currency",
			"currency": "IDR",
		},
	]
	return amount_columns(), data, _("As of {0}").format(shown(date)), None, summary
