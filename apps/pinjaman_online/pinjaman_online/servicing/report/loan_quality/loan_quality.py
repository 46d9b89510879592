"""Loan quality: outstanding by OJK collectibility (Kol 1–5, POJK 40/2019) and the NPL ratio (seed 004 §8)."""

from decimal import Decimal

from frappe import _

from pinjaman_online.replica import replica_reads
from pinjaman_online.servicing.report.portfolio import KOL_SQL, grouped, source_message

NAMES = {1: "Lancar", 2: "Dalam Perhatian Khusus", 3: "Kurang Lancar", 4: "Diragukan", 5: "Macet"}


@replica_reads
def execute(filters=None):
	filters = filters or {}
	rows, source = grouped(filters.get("period"), KOL_SQL)
	by_kol = {int(r.grp): r for r in rows}
	total = sum((Decimal(str(r.outstanding_principal or 0)) for r in rows), Decimal(0))
	npl = sum(
		(Decimal(str(by_kol[k].outstanding_principal or 0)) for k in (3, 4, 5) if k in by_kol), Decimal(0)
	)
	npl_ratio = (npl * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)
	data = [
		{
			"collectibility": f"Kol {kol} – {NAMES[kol]}",
			"loans": by_kol[kol].loans if kol in by_kol else 0,
			"outstanding_principal": by_kol[kol].outstanding_principal if kol in by_kol else 0,
			"performing": _("No") if kol >= 3 else _("Yes"),
		}
		for kol in range(1, 6)
	]
	columns = [
		{"fieldname": "collectibility", "label": _("Collectibility"), "fieldtype": "Data", "width": 240},
		{"fieldname": "loans", "label": _("Loans"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "outstanding_principal",
			"label": _("Outstanding Principal"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 180,
		},
		{"fieldname": "performing", "label": _("Performing"), "fieldtype": "Data", "width": 110},
	]
	summary = [
		{
			"label": _("NPL ratio"),
			# a percentage for display (the desk formats it in the site's number format); no money
			"value": float(npl_ratio),
			"indicator": "Red" if npl_ratio > 5 else "Green",
			"datatype": "Percent",
		},
		{"label": _("Outstanding principal"), "value": total, "datatype": "Currency", "currency": "IDR"},
		{"label": _("Non-performing (Kol 3–5)"), "value": npl, "datatype": "Currency", "currency": "IDR"},
	]
	message = source_message(source)
	return columns, data, message, None, summary
