"""The accounting reports' key figures for a month, printed for a closing note or a check by hand:

	bin/frappe --site SITE execute pinjaman_online.accounting.report.figures.run [--kwargs '{"period": "2026-12"}']

Prints the Trial Balance totals, the Balance Sheet (assets, liabilities + equity + SHU, difference), the Income
Statement (income, expense, SHU) of the month and the Ledger vs Loans totals at its last day (or today, for the
current month), and returns them as a dict of text amounts.
"""

from frappe.utils import getdate, today

from pinjaman_online.accounting.report.balance_sheet.balance_sheet import execute as balance_sheet
from pinjaman_online.accounting.report.common import date_range
from pinjaman_online.accounting.report.income_statement.income_statement import execute as income_statement
from pinjaman_online.accounting.report.ledger_vs_loans.ledger_vs_loans import execute as ledger_vs_loans
from pinjaman_online.accounting.report.trial_balance.trial_balance import execute as trial_balance


def _summary(result) -> dict:
	return {s["label"]: s["value"] for s in result[4]}


def run(period: str | None = None) -> dict:
	"""Key figures of ``period`` (``YYYY-MM``, default the current month); see the module docstring."""
	start, end = date_range({"period": period or today()[:7]})
	end = min(end, getdate(today()))
	month = {"from_date": start, "to_date": end}
	tb = trial_balance(month)[1][-1]
	bs = _summary(balance_sheet({"as_of_date": end}))
	pl = _summary(income_statement(month))
	lvl = ledger_vs_loans({"as_of_date": end})
	loans = lvl[1][-1]
	figures = {
		"period": f"{start} .. {end}",
		"trial_balance": {k: tb[k] for k in ("debit", "credit", "closing_debit", "closing_credit")},
		"balance_sheet": bs,
		"income_statement": pl,
		"ledger_vs_loans": {
			"ledger": loans["ledger"],
			"loans": loans["loans"],
			"difference": loans["difference"],
			"loans_with_a_difference": lvl[4][-1]["value"],
		},
	}
	for section, values in figures.items():
		print(f"{section}: {values}")
	return {k: ({a: str(b) for a, b in v.items()} if isinstance(v, dict) else v) for k, v in figures.items()}
