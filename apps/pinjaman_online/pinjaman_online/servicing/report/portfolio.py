"""Portfolio figures by delinquency for the aging and loan-quality reports (seed 004 §8).

A past period reads the month-end Aging Snapshot (taken by the daily run on the month's last day); the current
period, or a period without a snapshot, reads the live loans. Buckets and collectibility come from days past
due as in `lending.aging`; the SQL below mirrors those boundaries so 100,000 loans group in one query.
"""

import frappe
from frappe.utils import nowdate

BUCKET_SQL = """case when {dpd} <= 30 then '0-30' when {dpd} <= 60 then '31-60' when {dpd} <= 90 then '61-90'
	else '>90' end"""
KOL_SQL = """case when {dpd} = 0 then 1 when {dpd} <= 90 then 2 when {dpd} <= 120 then 3 when {dpd} <= 180 then 4
	else 5 end"""


def current_period() -> str:
	return nowdate()[:7]


def source(period: str | None) -> tuple[str, str, dict]:
	"""(table, where clause, values) for a period: its snapshot if one exists, else the live loans."""
	period = period or current_period()
	if period != current_period() and frappe.db.exists("Aging Snapshot", {"period": period}):
		return "`tabAging Snapshot`", "period = %(period)s", {"period": period, "snapshot": 1}
	return "`tabLoan`", "status in ('Active', 'Default')", {"period": period, "snapshot": 0}


def grouped(period: str | None, key_sql: str) -> tuple[list[dict], dict]:
	table, where, values = source(period)
	total_field = (
		"outstanding_total"
		if values["snapshot"]
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
