"""Portfolio figures by delinquency for the aging and loan-quality reports (seed 004 §8).

A past period reads its Aging Snapshot (taken by the daily run on the month's last day, or caught up the next
days when that run was missed); the current period reads the live loans; a past period without a snapshot shows
no figures and says so. Buckets and collectibility come from days past
due as in `lending.aging`; the SQL below mirrors those boundaries so 100,000 loans group in one query.
"""

import frappe
from frappe import _
from frappe.utils import formatdate, get_last_day, getdate, nowdate

BUCKET_SQL = """case when {dpd} <= 30 then '0-30' when {dpd} <= 60 then '31-60' when {dpd} <= 90 then '61-90'
	else '>90' end"""
KOL_SQL = """case when {dpd} = 0 then 1 when {dpd} <= 90 then 2 when {dpd} <= 120 then 3 when {dpd} <= 180 then 4
	else 5 end"""


def current_period() -> str:
	return nowdate()[:7]


def source(period: str | None) -> tuple[str, str, dict]:
	"""(table, where clause, values) for a period (YYYY-MM, default the current one): the current period reads
	the live loans; a past period its Aging Snapshot. ``values``: ``period``, ``snapshot`` (1 when read from a
	snapshot), ``taken_on`` (the snapshot's date, later than the month's end for a caught-up one) and
	``missing`` (a past period without a snapshot, or a future one: no rows, rather than today's portfolio
	shown as that period's)."""
	period = period or current_period()
	values = {"period": period, "snapshot": 0, "taken_on": None, "missing": 0}
	if period == current_period():
		return "`tabLoan`", "status in ('Active', 'Default')", values
	((rows, taken_on),) = frappe.db.sql(
		"select count(*), max(taken_on) from `tabAging Snapshot` where period = %s", period
	)
	if not rows:
		return "`tabAging Snapshot`", "1 = 0", {**values, "missing": 1}
	return "`tabAging Snapshot`", "period = %(period)s", {**values, "snapshot": 1, "taken_on": taken_on}


def source_message(values: dict) -> str:
	"""The line an aging report shows above its figures: which data it reads (:func:`source`'s values)."""
	period = values["period"]
	if values["missing"]:
		return _(
			"No aging snapshot for {0}: the month-end run did not take one, so there are no figures for that "
			"period (today's portfolio is not shown in its place)."
		).format(period)
	if not values["snapshot"]:
		return _("Live portfolio")
	taken_on = values["taken_on"]
	if taken_on and getdate(taken_on) > getdate(get_last_day(f"{period}-01")):
		return _(
			"Snapshot of {0} caught up on {1}, after a missed month-end run: loans as they stood on {1}, "
			"limited to loans disbursed by the month's end."
		).format(period, formatdate(taken_on))
	return _("Month-end snapshot of {0}").format(period)


def grouped(period: str | None, key_sql: str) -> tuple[list[dict], dict]:
	"""Loans of ``period`` (:func:`source`) grouped by ``key_sql`` (a CASE on ``{dpd}``): rows of ``grp``,
	``loans``, ``outstanding_principal`` and ``outstanding_total`` (Rupiah), and the source's values."""
	table, where, values = source(period)
	total_field = (
		"outstanding_total"
		if values["snapshot"] or values["missing"]
		else ("outstanding_principal + outstanding_interest + outstanding_penalty")
	)
	rows = frappe.db.sql(
		f"""select {key_sql.format(dpd="days_past_due")} as grp, count(*) as loans,
			sum(outstanding_principal) as outstanding_principal, sum({total_field}) as outstanding_total
		from {table} where {where} group by grp order by grp""",
		values,
		as_dict=True,
	)
	return rows, values
