"""Aging of the loan portfolio by days-past-due bucket (0–30, 31–60, 61–90, >90), per period (seed 004 §8)."""

from frappe import _

from pinjaman_online.lending.aging import BUCKETS
from pinjaman_online.replica import replica_reads
from pinjaman_online.servicing.report.portfolio import BUCKET_SQL, grouped, source_message


@replica_reads
def execute(filters=None):
	filters = filters or {}
	rows, source = grouped(filters.get("period"), BUCKET_SQL)
	by_bucket = {r.grp: r for r in rows}
	total = sum(r.outstanding_principal or 0 for r in rows) or 1
	data = [
		{
			"bucket": bucket,
			"loans": by_bucket[bucket].loans if bucket in by_bucket else 0,
			"outstanding_principal": by_bucket[bucket].outstanding_principal if bucket in by_bucket else 0,
			"outstanding_total": by_bucket[bucket].outstanding_total if bucket in by_bucket else 0,
			"share": 100 * (by_bucket[bucket].outstanding_principal if bucket in by_bucket else 0) / total,
		}
		for bucket in BUCKETS
	]
	columns = [
		{"fieldname": "bucket", "label": _("Days Past Due"), "fieldtype": "Data", "width": 140},
		{"fieldname": "loans", "label": _("Loans"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "outstanding_principal",
			"label": _("Outstanding Principal"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 180,
		},
		{
			"fieldname": "outstanding_total",
			"label": _("Outstanding Total"),
			"fieldtype": "Currency",
			"options": "IDR",
			"width": 180,
		},
		{"fieldname": "share", "label": _("Share of Principal (%)"), "fieldtype": "Percent", "width": 150},
	]
	message = source_message(source)
	chart = {
		"data": {
			"labels": list(BUCKETS),
			"datasets": [
				{"name": _("Outstanding Principal"), "values": [d["outstanding_principal"] for d in data]}
			],
		},
		"type": "bar",
	}
	return columns, data, message, chart
