"""Funder margin vs the cooperative per period (seed 004 §8 `GET /reports/funder-margin?periode=YYYY-MM`).

One row per live (submitted) funder settlement: the interest earned on the funders' shares of the loans, what
the funder keeps (its margin: credited interest less the cooperative's fees) and what the cooperative earns on
them (originator and servicing fees plus the interest spread). Amounts in Rupiah.
"""

import frappe
from frappe import _

from pinjaman_online.lending.commission import achievement_pct
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.period import parse_period
from pinjaman_online.replica import replica_reads
from pinjaman_online.utils import throw_lending_error, to_money


@replica_reads
def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	return columns(), data(filters)


def columns() -> list[dict]:
	def money(fieldname, label):
		return {
			"fieldname": fieldname,
			"label": label,
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 140,
		}

	return [
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 90},
		{"fieldname": "funder", "label": _("Funder"), "fieldtype": "Link", "options": "Funder", "width": 180},
		{
			"fieldname": "settlement",
			"label": _("Settlement"),
			"fieldtype": "Link",
			"options": "Funder Settlement",
			"width": 150,
		},
		{"fieldname": "loans", "label": _("Loans"), "fieldtype": "Int", "width": 70},
		money("collected", _("Collected")),
		money("funder_principal", _("Funder Principal")),
		money("interest_on_share", _("Interest on Funder Share")),
		money("originator_fee", _("Originator Fee")),
		money("servicing_fee", _("Servicing Fee")),
		money("interest_spread", _("Interest Spread")),
		money("funder_margin", _("Funder Margin")),
		money("cooperative_margin", _("Cooperative Margin")),
		{"fieldname": "cooperative_pct", "label": _("Cooperative %"), "fieldtype": "Percent", "width": 110},
		money("net_to_funder", _("Net to Funder")),
	]


def data(filters) -> list[dict]:
	conditions = {"docstatus": 1}
	if filters.get("period"):
		try:
			conditions["period"] = str(parse_period(filters.period))
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid period"))
	if filters.get("funder"):
		conditions["funder"] = filters.funder
	rows = []
	for s in frappe.get_list(
		"Funder Settlement",
		filters=conditions,
		fields=[
			"name",
			"period",
			"funder",
			"total_collected",
			"total_principal",
			"total_interest",
			"total_interest_spread",
			"total_originator_fee",
			"total_servicing_fee",
			"net_to_funder",
		],
		order_by="period asc, funder asc",
	):
		interest_on_share = to_money(s.total_interest) + to_money(s.total_interest_spread)
		fees = to_money(s.total_originator_fee) + to_money(s.total_servicing_fee)
		cooperative = fees + to_money(s.total_interest_spread)
		share = achievement_pct(cooperative, interest_on_share)
		rows.append(
			{
				"period": s.period,
				"funder": s.funder,
				"settlement": s.name,
				"loans": frappe.db.count("Funder Settlement Line", {"parent": s.name}),
				"collected": s.total_collected,
				"funder_principal": s.total_principal,
				"interest_on_share": interest_on_share,
				"originator_fee": s.total_originator_fee,
				"servicing_fee": s.total_servicing_fee,
				"interest_spread": s.total_interest_spread,
				"funder_margin": to_money(s.total_interest) - fees,
				"cooperative_margin": cooperative,
				"cooperative_pct": share if share is not None else 0,
				"net_to_funder": s.net_to_funder,
			}
		)
	return rows
