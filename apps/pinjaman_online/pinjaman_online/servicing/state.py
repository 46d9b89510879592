"""The one writer of a loan's state: figures, status and the record of every status change.

Every path that changes a loan's money or status ends here — a payment posted by hand or through the REST
API, bulk pension deductions, reversal, settlement, restructure, manual penalty, disbursement and its
cancellation, the daily run — so that the rules (``lending.lifecycle``: installment status, lifecycle
transitions, days past due, aging bucket, collectibility) are applied once, in one way:

* :func:`refresh_loans` recomputes the loans' figures from their installments with one grouped query per
  1,000 loans and hands them to :func:`write_states`;
* :func:`write_states` applies the lifecycle to figures a caller already holds (bulk posting keeps its
  schedules in memory), writes only the loans whose stored values change (one multi-row statement), and
  for every status transition writes a *Loan Status Change* (from, to, date, reason, user, the document
  that caused it) and a Frappe *Version* of the loan (the Audit Trail reads it);
* :func:`set_status` moves one loan to a status an action decides (disbursed, disbursement cancelled,
  default or closed by hand, written off), checked against the lifecycle's transitions.

Everything runs in the caller's transaction; callers lock the loans first (``SELECT … FOR UPDATE``, by name)
or let :func:`read_loans` do it.
"""

import datetime
import json
from collections import defaultdict
from decimal import Decimal

import frappe
from frappe.utils import escape_html, getdate, now_datetime

from pinjaman_online.borrower.events import publish_dpd_milestones
from pinjaman_online.lending import lifecycle
from pinjaman_online.lending.lifecycle import LoanState, next_state
from pinjaman_online.servicing.bulk import money
from pinjaman_online.utils import insert_rows

# The columns of a loan that the writer reads and may write.
LOAN_FIELDS = (
	"name",
	"status",
	"outstanding_principal",
	"outstanding_interest",
	"outstanding_penalty",
	"total_paid",
	"days_past_due",
	"aging_bucket",
	"collectibility",
	"closed_date",
	"default_date",
	"last_payment_date",
)
STATE_UPDATE = (
	"name",
	"outstanding_principal",
	"outstanding_interest",
	"outstanding_penalty",
	"total_paid",
	"days_past_due",
	"aging_bucket",
	"collectibility",
	"status",
	"closed_date",
	"default_date",
	"modified",
	"modified_by",
)
CHANGE_FIELDS = (
	"name",
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"idx",
	"loan",
	"from_status",
	"to_status",
	"change_date",
	"reason",
	"changed_by",
	"reference_doctype",
	"reference_name",
)
VERSION_FIELDS = (
	"name",
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"idx",
	"ref_doctype",
	"docname",
	"data",
)
ZERO = Decimal(0)
PAGE = 1000


def _in(values) -> tuple[str, list]:
	values = list(values)
	return ", ".join(["%s"] * len(values)), values


def read_loans(names, lock: bool = True) -> dict[str, dict]:
	"""name → the loan's :data:`LOAN_FIELDS`, locked FOR UPDATE in name order unless ``lock`` is False."""
	out = {}
	names = sorted(set(names))
	columns = ", ".join(f"`{f}`" for f in LOAN_FIELDS)
	for start in range(0, len(names), PAGE):
		marks, values = _in(names[start : start + PAGE])
		for row in frappe.db.sql(
			f"SELECT {columns} FROM `tabLoan` WHERE name IN ({marks}) ORDER BY name"
			+ (" FOR UPDATE" if lock else ""),
			values,
			as_dict=True,
		):
			out[row.name] = row
	return out


def installment_figures(
	as_of: dict[str, datetime.date], where: str = "", params: list | None = None, lock: bool = True
) -> dict[str, tuple]:
	"""loan → (principal, interest, penalty outstanding, total paid — Rupiah; oldest due date before the
	loan's ``as_of`` with anything unpaid, or None) from its live installments, one grouped query per
	date and page of loans.

	``where``/``params``: instead of the loans' names, a condition on the installments (the daily run's
	name range); then every loan of ``as_of`` must share one date. Loans without installments are absent.
	``lock``: a locking read (the latest committed rows, whatever the transaction's snapshot); the daily run,
	which locks its loans before its first plain read, reads without.
	"""
	tail = " GROUP BY loan" + (" FOR UPDATE" if lock else "")
	by_date = defaultdict(list)
	for name, day in as_of.items():
		by_date[getdate(day)].append(name)
	out = {}
	select = """SELECT loan,
		SUM(principal_amount - principal_paid), SUM(interest_amount - interest_paid),
		SUM(penalty_amount - penalty_paid), SUM(principal_paid + interest_paid + penalty_paid),
		MIN(CASE WHEN due_date < %s AND principal_amount + interest_amount + penalty_amount
			- principal_paid - interest_paid - penalty_paid > 0 THEN due_date END)
		FROM `tabLoan Installment` WHERE status != 'Cancelled' AND """
	for day, names in by_date.items():
		pages = [None] if where else [sorted(names)[i : i + PAGE] for i in range(0, len(names), PAGE)]
		for page in pages:
			if where:
				condition, values = where, [day, *(params or [])]
			else:
				marks, values = _in(page)
				condition, values = f"loan IN ({marks})", [day, *values]
			for loan, p, i, n, paid, oldest in frappe.db.sql(select + condition + tail, values):
				out[loan] = (money(p), money(i), money(n), money(paid), oldest)
	return out


def refresh_loans(
	as_of: dict[str, datetime.date],
	reason: str,
	*,
	loans: dict[str, dict] | None = None,
	default_after: int | None = None,
	last_payment: dict[str, datetime.date] | None = None,
	reference=None,
	user: str | None = None,
) -> dict[str, LoanState]:
	"""Recompute and write the state of the loans in ``as_of`` (loan → the date DPD and closing are as of).

	``reason``: why (``"payment"``, ``"reversal"``, ``"daily run"``…), recorded with every status change;
	``loans``: the loans' rows (:data:`LOAN_FIELDS`) when the caller locked and read them already, else they
	are locked and read here; ``default_after``: days past due beyond which an Active loan becomes Default
	(the daily run; None otherwise); ``last_payment``: loan → a new *Last Payment Date*; ``reference``: the
	document that caused the change (or ``(doctype, name)``). Returns loan → its new :class:`LoanState`.
	"""
	if not as_of:
		return {}
	loans = loans if loans is not None else read_loans(as_of)
	figures = installment_figures(as_of)
	zero = (ZERO, ZERO, ZERO, ZERO, None)
	computed = {
		name: (*figures.get(name, zero), getdate(day)) for name, day in as_of.items() if name in loans
	}
	return write_states(
		loans,
		computed,
		reason,
		default_after=default_after,
		last_payment=last_payment,
		reference=reference,
		user=user,
	)[0]


def write_states(
	loans: dict[str, dict],
	computed: dict[str, tuple],
	reason: str,
	*,
	default_after: int | None = None,
	last_payment: dict[str, datetime.date] | None = None,
	reference=None,
	user: str | None = None,
	stamp: datetime.datetime | None = None,
) -> tuple[dict[str, LoanState], list[tuple], list[str]]:
	"""Apply the lifecycle to figures already computed and write what changes.

	``loans``: name → the stored row (:data:`LOAN_FIELDS`, locked by the caller); ``computed``: name →
	``(principal, interest, penalty, total_paid, oldest_overdue, as_of)`` (Rupiah, dates). Only loans whose
	stored values differ are written. Returns (name → :class:`LoanState`, the status changes written as
	``(loan, from, to, date, reason)``, the names of the loans written).
	"""
	user = user or frappe.session.user
	stamp = stamp or now_datetime()
	last_payment = last_payment or {}
	states, updates, changes = {}, [], []
	for name in sorted(computed):
		loan = loans[name]
		principal, interest, penalty, paid, oldest, day = computed[name]
		state = next_state(
			loan.status,
			loan.closed_date,
			loan.get("default_date"),
			principal,
			interest,
			penalty,
			paid,
			getdate(oldest) if oldest else None,
			day,
			default_after,
		)
		states[name] = state
		if state.status != loan.status:
			lifecycle.check_transition(loan.status, state.status)
			changes.append((name, loan.status, state.status, day, f"{reason}: {state.reason}"))
		if name not in last_payment and _unchanged(loan, state):
			continue
		updates.append(
			(
				name,
				state.outstanding_principal,
				state.outstanding_interest,
				state.outstanding_penalty,
				state.total_paid,
				state.days_past_due,
				state.aging_bucket,
				state.collectibility,
				state.status,
				state.closed_date,
				state.default_date,
				stamp,
				user,
			)
		)
	if updates:
		with_payment = [u for u in updates if u[0] in last_payment]
		others = [u for u in updates if u[0] not in last_payment]
		insert_rows("Loan", STATE_UPDATE, others, upsert=True)
		insert_rows(
			"Loan",
			(*STATE_UPDATE, "last_payment_date"),
			[(*u, last_payment[u[0]]) for u in with_payment],
			upsert=True,
		)
	record_changes(changes, reference=reference, user=user, stamp=stamp, states=states, loans=loans)
	publish_dpd_milestones(  # events: one job after commit for the loans whose DPD went up
		[(n, loans[n].days_past_due, s.days_past_due, computed[n][5]) for n, s in states.items()
			if s.days_past_due > (loans[n].days_past_due or 0)]
	)  # fmt: skip
	return states, changes, [u[0] for u in updates]


def _unchanged(loan: dict, state: LoanState) -> bool:
	return (
		loan.status == state.status
		and (loan.days_past_due or 0) == state.days_past_due
		and money(loan.outstanding_principal) == state.outstanding_principal
		and money(loan.outstanding_interest) == state.outstanding_interest
		and money(loan.outstanding_penalty) == state.outstanding_penalty
		and money(loan.total_paid) == state.total_paid
		and (loan.aging_bucket or None) == state.aging_bucket
		and (loan.collectibility or 0) == state.collectibility
		and _date(loan.closed_date) == state.closed_date
		and _date(loan.get("default_date")) == state.default_date
	)


def _date(value):
	return getdate(value) if value else None


def _reference(reference) -> tuple[str | None, str | None]:
	if reference is None:
		return None, None
	if isinstance(reference, tuple | list):
		return reference[0], reference[1]
	return reference.doctype, reference.name


def reason_text(why: str | None, lang: str | None = None) -> str:
	"""A status change's reason in ``lang`` (default: the user's), part by part: the servicing code's and the
	lending core's reasons are English phrases joined by ": " (``"payment: paid off"`` gives
	``"pembayaran: lunas"`` in Indonesian; translations under the context "Loan status change"); free text
	(a clerk's reason) stays as written."""
	return ": ".join(
		frappe._(part, lang=lang, context="Loan status change") for part in (why or "").split(": ")
	)


def updater_reference(ref_type: str | None, ref_name: str | None, why: str | None) -> dict:
	"""What a status change's Version shows after "changed the value of Status from … to …" in the desk's
	timeline (Frappe's ``updater_reference``): ``label``, the reason in the writer's language and the
	document that caused the change, linked through ``doctype`` and ``docname`` (or the reason alone), and
	``reason``, the reason as written, from which the desk shows each reader the label in their own language
	(public/js/desk.js). The label is HTML-escaped: the timeline puts it into its markup as it is, and a
	reason may be a clerk's free text."""
	text = reason_text(why)
	if ref_type and ref_name:
		label = escape_html(f"({text}, {ref_name})")
		return {"doctype": ref_type, "docname": ref_name, "label": label, "reason": why}
	return {"label": escape_html(f"({text})"), "reason": why}


def record_changes(
	changes: list[tuple],
	*,
	reference=None,
	user: str | None = None,
	stamp: datetime.datetime | None = None,
	states: dict | None = None,
	loans: dict | None = None,
	version: bool = True,
) -> int:
	"""Write a *Loan Status Change* per ``(loan, from, to, date, reason)`` and, with ``version``, a Frappe
	Version of the loan holding the changed status (and closing or default date), in multi-row inserts.
	Returns how many."""
	if not changes:
		return 0
	user = user or frappe.session.user
	stamp = stamp or now_datetime()
	ref_type, ref_name = _reference(reference)
	rows, versions = [], []
	for n, (loan, old, new, day, why) in enumerate(changes):
		at = stamp + datetime.timedelta(microseconds=n)
		rows.append(
			(frappe.generate_hash(length=12), at, at, user, user, 0, 0, loan, old, new, day, why, user,
				ref_type, ref_name)
		)  # fmt: skip
		if version:
			changed = [["status", old, new]]
			state, before = (states or {}).get(loan), (loans or {}).get(loan)
			if state and before:
				for field in ("closed_date", "default_date"):
					was, now = _date(before.get(field)), getattr(state, field)
					if was != now:
						changed.append([field, str(was) if was else None, str(now) if now else None])
			data = {
				"changed": changed,
				"added": [],
				"removed": [],
				"row_changed": [],
				"updater_reference": updater_reference(ref_type, ref_name, why),
			}
			versions.append(
				(frappe.generate_hash(length=10), at, at, user, user, 0, 0, "Loan", loan,
					json.dumps(data, separators=(",", ":")))
			)  # fmt: skip
	insert_rows("Loan Status Change", CHANGE_FIELDS, rows)
	if versions:
		insert_rows("Version", VERSION_FIELDS, versions)
	return len(rows)


def set_status(
	loan: str,
	status: str,
	reason: str,
	as_of: datetime.date | None = None,
	values: dict | None = None,
	reference=None,
	version: bool = True,
) -> bool:
	"""Move ``loan`` to ``status`` for an action (disbursed, disbursement cancelled, written off…) with
	``values`` to set with it, checked against the lifecycle (``lifecycle.InvalidTransition`` otherwise) and
	recorded (Loan Status Change; a Version unless ``version`` is False, for a save that versions itself).
	Returns False when the loan already has that status (``values`` are still written)."""
	current = frappe.db.get_value("Loan", loan, "status")
	values = dict(values or {})
	if current == status:
		if values:
			frappe.db.set_value("Loan", loan, values)
		return False
	lifecycle.check_transition(current, status)
	frappe.db.set_value("Loan", loan, {**values, "status": status})
	record_changes([(loan, current, status, getdate(as_of), reason)], reference=reference, version=version)
	return True
