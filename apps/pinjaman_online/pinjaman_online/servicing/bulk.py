"""Bulk posting of automatic payments (pension-deduction realisations): many Loan Payments in one go.

Submitting 100,000 Loan Payment documents one by one takes many minutes; an import of a realisation file
must post them in seconds. :func:`post_payments` writes, inside the caller's transaction, exactly the rows
that submitting a *Loan Payment* through the form writes, so a bulk-posted payment is indistinguishable from
one posted by hand and the document's own ``cancel`` (``LoanPayment.on_cancel``) restores the schedule exactly:

1. payments whose ``source_key`` already exists are skipped (a rerun posts nothing twice);
2. the loans involved are locked (``SELECT … FOR UPDATE``, by name, so concurrent posters never deadlock)
   — the same row lock ``LoanPayment.before_submit`` takes, so a payment entered by hand on the same loan at
   the same moment waits for the batch and sees its result;
3. their unpaid installments are read (locked too) and each payment is allocated with the lending core's
   :func:`~pinjaman_online.lending.allocation.allocate_payment` — oldest installment first, penalty →
   interest → principal — payment after payment on the same loan;
4. the Loan Payment rows (docstatus 1, names from the ``PAY-.YYYY.-.#####`` series, reserved as one block),
   their *Loan Payment Allocation* child rows, the installment updates and the loans' refreshed figures are
   written with multi-row statements (``pinjaman_online.utils.insert_rows``).

Checks are those of ``LoanPayment.validate``/``before_submit``: a positive amount, an Active or Default loan,
a posting date on or after the disbursement; an amount above everything owed is not refused here but posted
up to what is owed, the rest returned as ``unallocated`` for the caller to refund.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import frappe
from frappe.model.naming import parse_naming_series
from frappe.utils import getdate, now_datetime

from pinjaman_online.accounting.posting import post_bulk_payments, reverse_journals
from pinjaman_online.borrower.events import publish_payments
from pinjaman_online.lending.allocation import InstallmentDue, allocate_payment
from pinjaman_online.lending.lifecycle import installment_status
from pinjaman_online.servicing.changes import allocation_orders, restore_last_payment_date
from pinjaman_online.utils import insert_rows

PAYMENT_SERIES = "PAY-.YYYY.-.#####"
ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")

PAYMENT_FIELDS = (
	"name",
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"idx",
	"naming_series",
	"loan",
	"member",
	"member_name",
	"posting_date",
	"amount",
	"payment_method",
	"reference_no",
	"source_key",
	"total_penalty",
	"total_interest",
	"total_principal",
)
ALLOCATION_FIELDS = (
	"name",
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"idx",
	"parent",
	"parentfield",
	"parenttype",
	"loan_installment",
	"installment_number",
	"penalty",
	"interest",
	"principal",
)
INSTALLMENT_UPDATE = (
	"name",
	"principal_paid",
	"interest_paid",
	"penalty_paid",
	"outstanding_amount",
	"status",
	"last_payment_date",
	"modified",
)


@dataclass(frozen=True)
class PaymentItem:
	"""One payment to post: ``amount`` Rupiah on ``loan`` dated ``posting_date``; ``source_key`` unique."""

	source_key: str
	loan: str
	amount: Decimal
	posting_date: datetime.date
	payment_method: str = "Pension Deduction"
	reference_no: str | None = None


@dataclass(frozen=True)
class PostResult:
	"""What happened to one :class:`PaymentItem` (Rupiah).

	``payment``: the Loan Payment's name (also for one that existed already, ``existing``); ``posted``: its
	amount; ``unallocated``: the part of the item above everything owed (not posted); ``error``: why nothing
	was posted.
	"""

	item: PaymentItem
	payment: str | None = None
	posted: Decimal = ZERO
	unallocated: Decimal = ZERO
	error: str | None = None
	existing: bool = False


def reserve_names(series: str, count: int) -> list[str]:
	"""``count`` consecutive names of a naming series (e.g. ``PAY-.YYYY.-.#####``), reserved in one update.

	Same counter (``tabSeries``, row locked) and same prefix as ``frappe.model.naming.make_autoname``, so
	documents named by the form and by bulk posting share one gap-free sequence.
	"""
	if count <= 0:
		return []
	captured = {}

	def capture(key, digits):
		captured.update(key=key, digits=digits)
		return "\x00"

	template = parse_naming_series(series.split("."), number_generator=capture)
	key, digits = captured["key"], captured["digits"]
	current = frappe.db.sql("SELECT `current` FROM `tabSeries` WHERE `name` = %s FOR UPDATE", key)
	if current and current[0][0] is not None:
		start = int(current[0][0]) + 1
		frappe.db.sql("UPDATE `tabSeries` SET `current` = `current` + %s WHERE `name` = %s", (count, key))
	else:
		start = 1
		frappe.db.sql("INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, %s)", (key, count))
	return [template.replace("\x00", f"{n:0{digits}d}") for n in range(start, start + count)]


def money(value) -> Decimal:
	"""A DECIMAL read from the database as Rupiah with at most 2 decimals: what ``pinjaman_online.utils
	.to_money`` gives for a stored Currency value, without going through Frappe's float rounding (which
	reads the system settings on every call: too slow for 100,000 rows)."""
	amount = Decimal(value or 0).quantize(CENT)
	return amount.quantize(ONE) if amount == amount.to_integral_value() else amount


def _in(values) -> tuple[str, list]:
	values = list(values)
	return ", ".join(["%s"] * len(values)), values


def existing_payments(source_keys: list[str]) -> dict[str, dict]:
	"""source_key → {name, amount, docstatus} for the Loan Payments that already carry one of the keys."""
	found = {}
	for start in range(0, len(source_keys), 1000):
		marks, values = _in(source_keys[start : start + 1000])
		for row in frappe.db.sql(
			f"SELECT name, source_key, amount, docstatus FROM `tabLoan Payment` WHERE source_key IN ({marks})",
			values,
			as_dict=True,
		):
			found[row.source_key] = row
	return found


def lock_loans(loans: list[str]) -> dict[str, dict]:
	"""Lock the loans (FOR UPDATE, in name order) and return name → status, dates, member and the figures
	``servicing.state`` writes (``state.LOAN_FIELDS``)."""
	out = {}
	for start in range(0, len(loans), 1000):
		marks, values = _in(sorted(loans)[start : start + 1000])
		for row in frappe.db.sql(
			f"""SELECT name, status, disbursement_date, member, member_name, closed_date, outstanding_principal,
				outstanding_interest, outstanding_penalty, total_paid, days_past_due, aging_bucket, collectibility,
				default_date, last_payment_date
			FROM `tabLoan` WHERE name IN ({marks}) ORDER BY name FOR UPDATE""",
			values,
			as_dict=True,
		):
			out[row.name] = row
	return out


def unpaid_installments(loans: list[str], until: datetime.date | None = None) -> dict[str, list[dict]]:
	"""loan → its installments with something unpaid (locked FOR UPDATE), oldest first; with ``until``
	only those due on or before it."""
	out = defaultdict(list)
	for start in range(0, len(loans), 500):
		marks, values = _in(sorted(loans)[start : start + 500])
		due = ""
		if until:
			due, values = " AND due_date <= %s", [*values, until]
		rows = frappe.db.sql(
			f"""SELECT name, loan, installment_number, due_date, principal_amount, interest_amount,
				penalty_amount, principal_paid, interest_paid, penalty_paid
			FROM `tabLoan Installment`
			WHERE loan IN ({marks}) AND status != 'Cancelled'{due}
				AND principal_amount + interest_amount + penalty_amount
					- principal_paid - interest_paid - penalty_paid > 0
			ORDER BY loan, due_date, installment_number FOR UPDATE""",
			values,
			as_dict=True,
		)
		for row in rows:
			for f in ("principal_amount", "interest_amount", "penalty_amount"):
				row[f] = money(row[f])
			for f in ("principal_paid", "interest_paid", "penalty_paid"):
				row[f] = money(row[f])
			out[row.loan].append(row)
	return out


def _dues(rows: list[dict]) -> list[InstallmentDue]:
	return [
		InstallmentDue(
			number=r.installment_number,
			due_date=getdate(r.due_date),
			principal_due=r.principal_amount - r.principal_paid,
			interest_due=r.interest_amount - r.interest_paid,
			penalty_due=r.penalty_amount - r.penalty_paid,
		)
		for r in rows
	]


def post_payments(
	items: list[PaymentItem], horizon: datetime.date | None = None, user: str | None = None
) -> list[PostResult]:
	"""Post ``items`` as submitted Loan Payments (module docstring); one result per item, in order.

	Runs in the caller's transaction (commit after it). ``horizon``: installments due after it are read only
	for a payment that covers more than everything due until then (a realisation rarely does), which keeps
	the reads small for long schedules. ``user``: owner of the rows (default: the session user).
	"""
	user = user or frappe.session.user
	if not items:
		return []
	if horizon:
		horizon = max(getdate(horizon), *(getdate(i.posting_date) for i in items))
	existing = existing_payments([i.source_key for i in items])
	todo = [i for i in items if i.source_key not in existing]
	loans = lock_loans(list({i.loan for i in todo}))
	orders = allocation_orders(loans)
	schedule = unpaid_installments(list(loans), horizon)
	complete = set() if horizon else set(loans)
	results: dict[int, PostResult] = {}
	postings = []  # (index, item, allocation, loan row)
	touched: dict[str, dict] = {}  # installment name -> row (changed)
	last_date: dict[str, datetime.date] = {}
	paid: dict[str, list[Decimal]] = defaultdict(
		lambda: [ZERO, ZERO, ZERO]
	)  # loan -> principal, interest, penalty
	seen_keys = set()
	for index, item in enumerate(items):
		if item.source_key in existing:
			row = existing[item.source_key]
			results[index] = PostResult(item, row.name, money(row.amount), existing=True)
			continue
		if item.source_key in seen_keys:
			results[index] = PostResult(
				item, error=f"Source key {item.source_key} appears twice in the batch"
			)
			continue
		seen_keys.add(item.source_key)
		loan = loans.get(item.loan)
		error = _check(item, loan)
		if error:
			results[index] = PostResult(item, error=error)
			continue
		rows = schedule[item.loan]
		order, day = orders.get(item.loan), getdate(item.posting_date)
		allocation = allocate_payment(item.amount, _dues(rows), order, day)
		if allocation.unallocated > 0 and item.loan not in complete:
			schedule.update(unpaid_installments([item.loan]))  # the whole schedule, still locked
			complete.add(item.loan)
			rows = [touched.get(r.name, r) for r in schedule[item.loan]]
			rows = [r for r in rows if _remaining(r) > 0]
			schedule[item.loan] = rows
			allocation = allocate_payment(item.amount, _dues(rows), order, day)
		if allocation.total_allocated <= 0:
			results[index] = PostResult(
				item, unallocated=item.amount, error=f"Nothing is owed on loan {item.loan}"
			)
			continue
		by_number = {r.installment_number: r for r in rows}
		for line in allocation.lines:
			r = by_number[line.number]
			r.penalty_paid += line.penalty
			r.interest_paid += line.interest
			r.principal_paid += line.principal
			r.last_payment_date = item.posting_date
			touched[r.name] = r
		totals = paid[item.loan]
		totals[0] += allocation.total_principal
		totals[1] += allocation.total_interest
		totals[2] += allocation.total_penalty
		schedule[item.loan] = [r for r in rows if _remaining(r) > 0]
		last_date[item.loan] = getdate(item.posting_date)
		postings.append((index, item, allocation, loan, by_number))
	_write(postings, results, touched, user)
	post_bulk_payments(  # ledger: one Repayment journal per payment, in multi-row INSERTs
		[(results[index].payment, item, allocation) for index, item, allocation, *_ in postings]
	)
	_update_loans(loans, schedule, paid, last_date, user)
	done = [results[i] for i in range(len(items))]
	publish_payments(done)  # events: PaymentReceived, one job for the batch after commit
	return done


def _remaining(r) -> Decimal:
	return (
		r.principal_amount
		+ r.interest_amount
		+ r.penalty_amount
		- r.principal_paid
		- r.interest_paid
		- r.penalty_paid
	)


def _check(item: PaymentItem, loan) -> str | None:
	if item.amount is None or item.amount <= 0:
		return "Payment amount must be above zero"
	if not loan:
		return f"Loan {item.loan} does not exist"
	if loan.status not in ("Active", "Default"):
		return f"Loan {item.loan} is {loan.status}: payments are taken only on active loans"
	if loan.disbursement_date and getdate(item.posting_date) < getdate(loan.disbursement_date):
		return f"Payment date {item.posting_date} is before the disbursement date {loan.disbursement_date}"
	return None


def _write(postings, results, touched, user):
	if not postings:
		return
	names = reserve_names(PAYMENT_SERIES, len(postings))
	base = now_datetime()
	payments, allocations = [], []
	for n, (index, item, allocation, loan, by_number) in enumerate(postings):
		name = names[n]
		# Distinct, increasing creation times keep "newest first" reversal order within a batch.
		stamp = base + datetime.timedelta(microseconds=n)
		payments.append(
			(
				name, stamp, stamp, user, user, 1, 0, PAYMENT_SERIES, item.loan, loan.member, loan.member_name,
				item.posting_date, allocation.total_allocated, item.payment_method, item.reference_no,
				item.source_key, allocation.total_penalty, allocation.total_interest, allocation.total_principal,
			)
		)  # fmt: skip
		for idx, line in enumerate(allocation.lines, 1):
			# Child names only need to be unique; ``<payment>-<idx>`` keeps inserts in primary-key order.
			allocations.append(
				(
					f"{name}-{idx}", stamp, stamp, user, user, 1, idx, name, "allocations",
					"Loan Payment", by_number[line.number].name, line.number, line.penalty, line.interest,
					line.principal,
				)
			)  # fmt: skip
		results[index] = PostResult(item, name, allocation.total_allocated, allocation.unallocated)
	insert_rows("Loan Payment", PAYMENT_FIELDS, payments)
	insert_rows("Loan Payment Allocation", ALLOCATION_FIELDS, allocations)
	insert_rows(
		"Loan Installment",
		INSTALLMENT_UPDATE,
		[_installment_values(r, base) for r in touched.values()],
		upsert=True,
	)


def _installment_values(r, stamp) -> tuple:
	"""The columns ``servicing.utils.apply_allocation`` sets on an installment after a payment."""
	remaining = _remaining(r)
	status = installment_status(remaining + r.principal_paid + r.interest_paid + r.penalty_paid,
		r.principal_paid + r.interest_paid + r.penalty_paid)  # fmt: skip
	return (
		r.name,
		r.principal_paid,
		r.interest_paid,
		r.penalty_paid,
		remaining,
		status,
		r.last_payment_date,
		stamp,
	)


def cancel_payments(names: list[str], user: str | None = None) -> int:
	"""Cancel submitted Loan Payments in bulk, exactly as ``LoanPayment.on_cancel`` does one by one.

	Their allocations are taken back from the installments (paid amounts, outstanding, status; the
	installment's ``last_payment_date`` cleared), the payments and their allocation rows get docstatus 2 and
	the loans are refreshed as of today. Runs in the caller's transaction; returns how many were cancelled.
	The caller checks that no later payment depends on them (reversal order).
	"""
	user = user or frappe.session.user
	if not names:
		return 0
	payments = []
	for start in range(0, len(names), 1000):
		marks, values = _in(names[start : start + 1000])
		payments += frappe.db.sql(
			f"SELECT name, loan FROM `tabLoan Payment` WHERE name IN ({marks}) AND docstatus = 1",
			values,
			as_dict=True,
		)
	if not payments:
		return 0
	loans = lock_loans(list({p.loan for p in payments}))
	lines = []
	for start in range(0, len(payments), 1000):
		marks, values = _in([p.name for p in payments[start : start + 1000]])
		lines += frappe.db.sql(
			f"""SELECT parent, loan_installment, penalty, interest, principal
			FROM `tabLoan Payment Allocation` WHERE parenttype = 'Loan Payment' AND parent IN ({marks})""",
			values,
			as_dict=True,
		)
	rows = {}
	installment_names = sorted({line.loan_installment for line in lines})
	for start in range(0, len(installment_names), 1000):
		marks, values = _in(installment_names[start : start + 1000])
		for r in frappe.db.sql(
			f"""SELECT name, principal_amount, interest_amount, penalty_amount, principal_paid, interest_paid,
				penalty_paid FROM `tabLoan Installment` WHERE name IN ({marks}) ORDER BY name FOR UPDATE""",
			values,
			as_dict=True,
		):
			for f in ("principal_amount", "interest_amount", "penalty_amount", "principal_paid", "interest_paid",
				"penalty_paid"):  # fmt: skip
				r[f] = money(r[f])
			r.last_payment_date = None
			rows[r.name] = r
	for line in lines:
		r = rows[line.loan_installment]
		r.penalty_paid -= money(line.penalty)
		r.interest_paid -= money(line.interest)
		r.principal_paid -= money(line.principal)
	stamp = now_datetime()
	insert_rows(
		"Loan Installment",
		INSTALLMENT_UPDATE,
		[_installment_values(r, stamp) for r in rows.values()],
		upsert=True,
	)
	for start in range(0, len(payments), 1000):
		marks, values = _in([p.name for p in payments[start : start + 1000]])
		frappe.db.sql(
			f"UPDATE `tabLoan Payment` SET docstatus = 2, modified = %s, modified_by = %s WHERE name IN ({marks})",
			[stamp, user, *values],
		)
		frappe.db.sql(
			f"""UPDATE `tabLoan Payment Allocation` SET docstatus = 2, modified = %s
			WHERE parenttype = 'Loan Payment' AND parent IN ({marks})""",
			[stamp, *values],
		)
	today = getdate()
	_refresh_loans(loans, {loan: today for loan in loans}, user, set_last_payment=False)
	reverse_journals("Loan Payment", [p.name for p in payments])  # ledger: each payment's journal mirrored
	restore_last_payment_date(loans)
	return len(payments)


def _update_loans(loans, schedule, paid, as_of, user):
	"""The loans' new state after this batch's payments, with ``last_payment_date``, through the one writer
	(``servicing.state.write_states``) without re-reading their schedules: the locked loan's outstanding less
	what this batch allocated (every writer keeps a loan's figures equal to its installments), and DPD from
	the unpaid installments held in memory, which include every one due before the payment date."""
	from pinjaman_online.servicing.state import write_states

	computed = {}
	for name, day in as_of.items():
		loan = loans[name]
		principal_paid, interest_paid, penalty_paid = paid[name]
		overdue = [
			getdate(r.due_date)
			for r in schedule.get(name, ())
			if _remaining(r) > 0 and getdate(r.due_date) < day
		]
		computed[name] = (
			money(loan.outstanding_principal) - principal_paid,
			money(loan.outstanding_interest) - interest_paid,
			money(loan.outstanding_penalty) - penalty_paid,
			money(loan.total_paid) + principal_paid + interest_paid + penalty_paid,
			min(overdue) if overdue else None,
			day,
		)
	write_states(loans, computed, "payment", last_payment=as_of, user=user)


def _refresh_loans(
	loans: dict[str, dict], as_of: dict[str, datetime.date], user: str, set_last_payment: bool = True
):
	"""Batched ``servicing.utils.refresh_loan`` (+ ``last_payment_date`` with ``set_last_payment``) for the
	loans that payments were taken from or given to, through the one writer (``servicing.state``): the same
	figures from the same rows, status changes recorded as a reversal."""
	from pinjaman_online.servicing.state import refresh_loans

	refresh_loans(as_of, "reversal", loans=loans, last_payment=as_of if set_last_payment else None, user=user)
