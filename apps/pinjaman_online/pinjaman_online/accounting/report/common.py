"""Figures of the accounting reports, read from Ledger Entry rows with set-based SQL.

Every report takes its dates from ``filters``: ``from_date`` / ``to_date`` (ISO dates), or ``period``
(``YYYY-MM``: the month) when no date is given; the default is the current month up to today. Amounts are
``Decimal`` Rupiah; the arithmetic of the statements is in :mod:`pinjaman_online.lending.statements`.
"""

from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import formatdate, get_first_day, getdate, today

from pinjaman_online.lending.period import InvalidPeriod, parse_period
from pinjaman_online.lending.statements import AccountMovement

ZERO = Decimal(0)
READ_ROLES = ("Finance", "Auditor", "Director", "Koperasi Admin", "System Manager")
"""Roles that read the ledger and its reports (DocPerms of Ledger Entry, roles of each report)."""


def money(value) -> Decimal:
	"""A database amount as Decimal whole Rupiah (MariaDB returns Decimal; None is 0)."""
	return Decimal(str(value or 0)).quantize(Decimal(1))


def check_access() -> None:
	"""Refuse (frappe.PermissionError, 403) a user who may not report on Ledger Entry: the accounting roles
	only (Finance, Auditor, Director, Koperasi Admin, System Manager by DocPerm)."""
	if not frappe.has_permission("Ledger Entry", "report"):
		frappe.throw(_("Not permitted to read the ledger"), frappe.PermissionError)


def date_range(filters: dict | None) -> tuple[date, date]:
	"""``(from_date, to_date)`` of the report's filters (see the module docstring). Raises
	frappe.ValidationError (417) for a bad period or a from date after the to date."""
	filters = filters or {}
	start, end = filters.get("from_date"), filters.get("to_date")
	if not start and not end and filters.get("period"):
		try:
			period = parse_period(filters["period"])
		except InvalidPeriod as exc:
			frappe.throw(_(exc.template).format(**exc.params), frappe.ValidationError)
		return period.start, period.end
	end = getdate(end or today())
	start = getdate(start) if start else get_first_day(end)
	if start > end:
		frappe.throw(_("From Date must not be after To Date"), frappe.ValidationError)
	return start, end


def shown(day: date) -> str:
	"""A date as the user reads dates (System Settings' date format)."""
	return formatdate(day)


def as_of(filters: dict | None) -> date:
	"""The date of a point-in-time report (Balance Sheet, Ledger vs Loans): ``as_of_date``, else the end of
	``date_range``."""
	filters = filters or {}
	if filters.get("as_of_date"):
		return getdate(filters["as_of_date"])
	return date_range(filters)[1]


def account_movements(start: date, end: date, include_groups: bool = False) -> list[AccountMovement]:
	"""Every ledger account (not group) with its opening balance before ``start`` and its debits and
	credits from ``start`` to ``end`` (inclusive), in one grouped query over Ledger Entry."""
	rows = frappe.db.sql(
		"""select a.name as account, a.account_name, a.root_type,
			coalesce(sum(case when e.posting_date < %(start)s then e.debit - e.credit end), 0) as opening,
			coalesce(sum(case when e.posting_date >= %(start)s then e.debit end), 0) as debit,
			coalesce(sum(case when e.posting_date >= %(start)s then e.credit end), 0) as credit
		from `tabLedger Account` a
		left join `tabLedger Entry` e on e.account = a.name and e.posting_date <= %(end)s
		where a.is_group = 0
		group by a.name, a.account_name, a.root_type
		order by a.name""",
		{"start": start, "end": end},
		as_dict=True,
	)
	return [
		AccountMovement(
			r.account, r.account_name, r.root_type, money(r.opening), money(r.debit), money(r.credit)
		)
		for r in rows
		if r.root_type
	]


def balances(end: date, start: date | None = None) -> list[tuple[str, str, str, Decimal]]:
	"""(account number, name, root type, debit − credit) of every account, over the entries dated ``start``
	(default: the beginning of the books) to ``end``."""
	return [
		(m.account, m.account_name, m.root_type, m.debit - m.credit + (ZERO if start else m.opening))
		for m in account_movements(start or date(1900, 1, 1), end)
	]


def accounts_of_role(role: str) -> list[str]:
	"""Ledger accounts mapped to the account role ``role`` (Accounting Settings and every Loan Product's
	override: both are rows of Ledger Account Mapping)."""
	return sorted(
		set(
			frappe.get_all(
				"Ledger Account Mapping",
				filters={"account_role": role, "account": ("is", "set")},
				pluck="account",
				ignore_permissions=True,
			)
		)
	)
