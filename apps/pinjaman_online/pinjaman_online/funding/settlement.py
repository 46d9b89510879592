"""Monthly funder settlement (seed 004 §6, "Skema Kerja Sama Koperasi – Bank" §6): lines from the payments
collected in the period, generated idempotently, corrected by new versions, and announced to Finance and the
funder's contact.

The arithmetic is the lending core's (:mod:`pinjaman_online.lending.settlement`); this module reads the
payments and allocations, writes the Funder Settlement document and notifies.
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.funding.utils import funder_loans, participations, receipts
from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.period import Period, parse_period, period_of
from pinjaman_online.lending.settlement import SettlementLine, SettlementTotals, settle_funder
from pinjaman_online.permissions import write_as_system
from pinjaman_online.utils import lock_row, throw_lending_error, to_money

# Funder Settlement Line money fields, in the order of the core's figures.
LINE_FIELDS = (
	"collected_principal",
	"collected_interest",
	"collected_penalty",
	"collected_total",
	"principal",
	"interest_part",
	"interest",
	"interest_spread",
	"originator_fee",
	"servicing_fee",
	"net_amount",
	"other_funders_amount",
	"cooperative_amount",
)


class SettlementPeriodError(frappe.ValidationError):
	pass


def period_or_throw(value: str) -> Period:
	"""The period ``YYYY-MM``; 417 for a malformed one or a month that has not started."""
	try:
		period = parse_period(value)
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid period"))
	if period.start > getdate(today()):
		frappe.throw(
			_("Period {0} has not started yet").format(period),
			title=_("Invalid period"),
			exc=SettlementPeriodError,
		)
	return period


def line_values(line: SettlementLine) -> dict:
	"""A core settlement line as the values of a Funder Settlement Line row (Rupiah)."""
	part, c = line.part, line.collection
	figures = (
		c.principal,
		c.interest,
		c.penalty,
		c.total,
		part.principal,
		part.interest_part,
		part.interest,
		part.interest_spread,
		part.originator_fee,
		part.servicing_fee,
		part.net,
		line.other_funders,
		line.cooperative,
	)
	return {"loan": line.loan, "allocation": line.allocation, **dict(zip(LINE_FIELDS, figures, strict=True))}


def compute_lines(funder: str, period: Period) -> list[dict]:
	"""The funder's settlement lines for ``period``: per loan and allocation, from the submitted payments.

	Each row carries the loan's member, the allocation's type, contract and share, and how many payments it
	covers. Rows are in loan order.
	"""
	loans = funder_loans(funder, period.start, period.end)
	paid = receipts(loans, period.start, period.end)
	allocations = participations(loans)
	lines = settle_funder(funder, [r for _name, r in paid], allocations)
	meta = {
		a.name: a
		for a in frappe.get_all(
			"Funder Allocation",
			filters={"name": ("in", [line.allocation for line in lines] or [""])},
			fields=[
				"name",
				"allocation_type",
				"funder_contract",
				"share_pct",
				"member_name",
				"effective_date",
				"end_date",
			],
		)
	}
	rows = []
	for line in lines:
		allocation = meta[line.allocation]
		start, end = getdate(allocation.effective_date), allocation.end_date and getdate(allocation.end_date)
		count = sum(
			1
			for _name, r in paid
			if r.loan == line.loan and start <= r.posting_date and (not end or r.posting_date < end)
		)
		rows.append(
			{
				**line_values(line),
				"member_name": allocation.member_name,
				"allocation_type": allocation.allocation_type,
				"funder_contract": allocation.funder_contract,
				"share_pct": allocation.share_pct,
				"payment_count": count,
			}
		)
	return rows


def totals_of(rows: list[dict]) -> SettlementTotals:
	"""The core's totals over settlement rows (dicts or child rows)."""
	return SettlementTotals(
		*(
			sum((to_money(r.get(f)) for r in rows), to_money(0))
			for f in (
				"collected_principal",
				"collected_interest",
				"collected_penalty",
				"principal",
				"interest",
				"interest_spread",
				"originator_fee",
				"servicing_fee",
				"net_amount",
				"other_funders_amount",
				"cooperative_amount",
			)
		),
		lines=len(rows),
	)


def fingerprint(rows) -> tuple:
	"""What makes two versions of a settlement the same: per loan and allocation, every figure."""
	return tuple(
		sorted(
			(r.get("loan"), r.get("allocation"), r.get("payment_count") or 0)
			+ tuple(str(to_money(r.get(f))) for f in LINE_FIELDS)
			for r in rows
		)
	)


def live_settlement(funder: str, period: Period) -> str | None:
	return frappe.db.get_value("Funder Settlement", {"live_key": live_key(funder, period)}, "name")


def live_key(funder: str, period: Period) -> str:
	return f"{funder}|{period}"


def generate_settlement(funder: str, period: str, correction_reason: str | None = None) -> dict:
	"""Generate (or confirm) the funder's settlement for ``period``; idempotent.

	Under a lock on the funder: when the live settlement of the period already has exactly the figures the
	payments give now, it is returned unchanged (``created`` False). Otherwise a new version is submitted; the
	previous live one, if any, is cancelled as Superseded (kept as history, ``superseded_by`` set) and the new
	one amends it. Returns ``{"name", "version", "created", "superseded"}``.
	"""
	if not frappe.has_permission("Funder Settlement", "submit"):
		frappe.throw(_("Not permitted to generate funder settlements"), frappe.PermissionError)
	if not frappe.db.exists("Funder", funder):
		frappe.throw(_("Funder {0} not found").format(funder), frappe.DoesNotExistError)
	period = period_or_throw(period)
	lock_row("Funder", funder)
	current = live_settlement(funder, period)
	rows = compute_lines(funder, period)
	if current:
		live = frappe.get_doc("Funder Settlement", current)
		if fingerprint([r.as_dict() for r in live.lines]) == fingerprint(rows):
			return {"name": live.name, "version": live.version, "created": False, "superseded": None}
	previous = current or frappe.db.get_value(
		"Funder Settlement",
		{"funder": funder, "period": str(period), "docstatus": 2},
		"name",
		order_by="version desc, creation desc",
	)
	if current and not correction_reason:
		correction_reason = _("Recomputed: the payments collected in {0} changed since {1}").format(
			period, current
		)
	doc = frappe.new_doc("Funder Settlement")
	doc.update({"funder": funder, "period": str(period), "correction_reason": correction_reason})
	if previous:
		old = frappe.get_doc("Funder Settlement", previous)
		if old.docstatus == 1:
			old.flags.superseded = True
			old.cancel()
		doc.amended_from = old.name
		doc.version = (old.version or 1) + 1
	write_as_system(doc, "create").insert()
	doc.submit()
	if current:
		frappe.db.set_value("Funder Settlement", current, "superseded_by", doc.name)
	return {"name": doc.name, "version": doc.version, "created": True, "superseded": current}


# Notification ---------------------------------------------------------------------------------------------


def users_with_role(role: str) -> list[str]:
	has_role = frappe.qb.DocType("Has Role")
	user = frappe.qb.DocType("User")
	return [
		r[0]
		for r in frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(user.name)
		.distinct()
		.where(
			(has_role.role == role)
			& (has_role.parenttype == "User")
			& (user.enabled == 1)
			& (user.name.notin(("Administrator", "Guest")))
		)
		.run()
	]


# Scheduler ------------------------------------------------------------------------------------------------


def generate_month_end_settlements(period: str | None = None) -> dict:
	"""monthly_long, and Finance's *Run Month-End Settlement* (:func:`enqueue_month_end`): settle every enabled
	funder with loans in the month that just ended (or ``period``, YYYY-MM).

	Each funder in its own savepoint: one funder's failure (logged in Error Log) does not undo the others.
	After each funder the progress is published to the user who runs it (Frappe's progress dialog in the
	desk: "3 of 5 funders"). Returns ``{funder: settlement name or "error"}``.
	"""
	period = parse_period(period) if period else period_of(getdate(today())).previous()
	funders = [
		f
		for f in frappe.get_all("Funder", filters={"enabled": 1}, pluck="name", order_by="name")
		if funder_loans(f, period.start, period.end)
	]
	title = _("Funder settlement {0}").format(period)
	results = {}
	for done, funder in enumerate(funders, 1):
		savepoint = f"settle_{frappe.generate_hash(length=8)}"
		frappe.db.savepoint(savepoint)
		try:
			results[funder] = generate_settlement(funder, str(period))["name"]
		except Exception:  # noqa: BLE001 - one funder failing must not stop the others; logged below
			frappe.db.rollback(save_point=savepoint)
			frappe.log_error(f"Funder settlement {funder} {period}")
			results[funder] = "error"
		frappe.publish_progress(
			100.0 * done / len(funders),
			title=title,
			description=_("{0} of {1} funders").format(done, len(funders)),
		)
	return results


def enqueue_month_end(period: str) -> dict:
	"""Queue :func:`generate_month_end_settlements` for ``period`` (YYYY-MM) on the long queue, once per
	period at a time (a second request while it is queued or running joins it). Needs submit permission on
	Funder Settlement (Finance). Returns ``{"period", "job_id"}``; raises PermissionError, or
	ValidationError for a period that is not YYYY-MM."""
	if not frappe.has_permission("Funder Settlement", "submit"):
		frappe.throw(_("Not permitted to generate funder settlements"), frappe.PermissionError)
	period = period_or_throw(period)
	job_id = f"funder-month-end-{period}"
	frappe.enqueue(
		"pinjaman_online.funding.settlement.generate_month_end_settlements",
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		period=str(period),
	)
	return {"period": str(period), "job_id": job_id}


def scheduled_month_end():
	"""scheduler_events monthly_long entry (no arguments)."""
	frappe.set_user("Administrator")
	generate_month_end_settlements()
