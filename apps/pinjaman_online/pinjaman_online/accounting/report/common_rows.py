"""Rows of the statement reports (Balance Sheet, Income Statement): a heading per section, its accounts
indented, its total in bold. (``nested`` rather than Frappe's ``indent``, which would turn the report into a
collapsible tree.)"""

from frappe import _


def section_rows(title: str, section) -> list[dict]:
	"""A heading row ``title``, one row per account of ``section`` (lending.statements.Section), a total row."""
	rows = [{"account_name": title, "heading": 1, "bold": 1}]
	rows += [
		{"account": line.account, "account_name": line.account_name, "amount": line.amount, "nested": 1}
		for line in section.lines
	]
	rows.append({"account_name": _("Total {0}").format(title), "amount": section.total, "bold": 1})
	return rows


def amount_columns() -> list[dict]:
	"""Account, name and amount columns of a statement."""
	return [
		{
			"fieldname": "account",
			"label": _("Account"),
			"fieldtype": "Link",
			"options": "Ledger Account",
			"width": 100,
		},
		{"fieldname": "account_name", "label": _("Account Name"), "fieldtype": "Data", "width": 320},
		{
			"fieldname": "amount",
			"label": _("Amount"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 180,
		},
	]
