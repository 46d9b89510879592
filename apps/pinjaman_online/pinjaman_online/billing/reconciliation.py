"""Pension Cut Import, step 2: matching and posting in a background job (seed 004 §7, flow steps 4–7).

Submitting an import enqueues :func:`run_matching` on RQ's *long* queue with one job id per import
(``frappe.enqueue(…, job_id=…, deduplicate=True)``): a second enqueue while one is queued is dropped. The job
reads the import's file again (checked against the hash taken at upload) and takes its lines in batches of
:data:`BATCH_SIZE`, in file order; for each batch, in one transaction:

* every line is matched by the core's :class:`~pinjaman_online.lending.matching.Matcher` (pension number /
  NIK, period, amount with the tolerance snapshotted on the import);
* matched, short and over lines become Loan Payments through
  :func:`pinjaman_online.servicing.bulk.post_payments` with ``source_key`` = the import line's name (``<line>/2`` for a member's second loan) — a unique column, so
  a line is posted at most once, whatever happens to the job;
* an over-deduction (and anything above what the loan still owes) becomes a *Refund Request*;
* an unmatched line (or one whose loan cannot take a payment) becomes a *Reconciliation Exception*;
* each line is written once, with its outcome (*Pension Cut Import Line*); then COMMIT, and progress is
  published (``frappe.publish_progress``) and stored on the import.

A worker killed mid-batch leaves the last batch uncommitted (MariaDB rolls it back: no line, no payment), so
a rerun (:func:`enqueue_matching` again, or :func:`run_matching`) continues after the last line written.
Two runs of one import never overlap: the job holds a MariaDB named lock (``GET_LOCK``) for the import, which
the server releases by itself when the worker's connection dies.

What an export line has realised is not stored on it: it is the sum of its *Pension Cut Realisation* rows
that are still *Posted*. Each row says what one import line realised on one export line (the loan, the
installment, Rupiah) and which Loan Payment posted it; the rows are written in the batch's transaction with
the payments (:func:`write_realisations`), so posting never rewrites the export, and a reversal (the import's
cancel, or the payment's own) marks its rows *Reversed*.

**Retry of unmatched lines in the next period.** When an import has been matched, the open exceptions of the
same fund from *earlier* periods whose cause may have gone away (unknown member, conflicting keys, not
billed, unknown reference, posting failed) are matched again against the current members and that period's
export; those that now match are posted (``source_key`` = their original line, so still at most once) and
resolved as *Matched on Retry*; the others stay open with their retry count increased.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, now, now_datetime

from pinjaman_online.accounting.posting import post_held_money, reverse_journals
from pinjaman_online.lending.matching import BillLine, Matcher, MatchResult, MatchStatus, normalise_key
from pinjaman_online.lending.period import Period
from pinjaman_online.servicing.bulk import PaymentItem, money, post_payments, reserve_names
from pinjaman_online.utils import STANDARD_FIELDS, insert_rows

JOB_METHOD = "pinjaman_online.billing.reconciliation.run_matching"
BATCH_SIZE = 1000
ZERO = Decimal(0)
EXCEPTION_SERIES = "REX-.YYYY.-.#####"
REFUND_SERIES = "RFD-.YYYY.-.#####"
REALISATION_SERIES = "PCR-.YYYY.-.########"
RETRIABLE = ("Unknown Member", "Conflicting Keys", "Not Billed", "Unknown Reference", "Posting Failed")

EXCEPTION_FIELDS = (
	*STANDARD_FIELDS, "naming_series", "status",
	"reason", "message", "pension_fund", "period", "cut_import", "import_line", "line_no", "pension_number",
	"nik", "member_name", "member", "amount", "expected_amount", "loan", "retry_count",
)  # fmt: skip
REFUND_FIELDS = (
	*STANDARD_FIELDS, "naming_series", "member",
	"member_name", "loan", "amount", "reason", "status", "pension_fund", "period", "cut_import", "import_line",
	"bank_name", "account_number", "account_holder",
)  # fmt: skip
LINE_FIELDS = (
	*STANDARD_FIELDS, "cut_import", "line_no", "period",
	"pension_fund", "pension_number", "nik", "member_name", "reference", "deduction_date", "amount", "status",
	"member", "expected_amount", "difference", "within_tolerance", "posted_amount", "refund_amount", "loan",
	"loan_payment", "export_line", "refund_request", "exception", "reason",
)  # fmt: skip
REALISATION_FIELDS = (
	*STANDARD_FIELDS, "naming_series", "cut_import", "import_line", "pension_fund", "period", "status",
	"amount", "export_line", "loan_installment", "installment_number", "member", "loan", "loan_payment",
)  # fmt: skip


class ImportStateError(frappe.ValidationError):
	pass


# ------------------------------------------------------------------------------------------- the job


def job_id_of(import_name: str) -> str:
	"""The RQ job id of an import's matching (Frappe prefixes it with the site)."""
	return f"pension-cut-import:{import_name}"


def _lock_name(import_name: str) -> str:
	# Named locks are server-wide (64 chars max): qualify with the site's database, hash to a fixed length.
	return "pci:" + hashlib.sha1(f"{frappe.conf.db_name}:{import_name}".encode()).hexdigest()


def is_running(import_name: str) -> bool:
	"""Whether a matching run holds the import's lock right now (a live worker, not a dead one's leftovers)."""
	return frappe.db.sql("SELECT IS_USED_LOCK(%s)", _lock_name(import_name))[0][0] is not None


def enqueue_matching(import_name: str, after_commit: bool = True, batch_size: int = BATCH_SIZE) -> str:
	"""Queue the import's matching on the long queue (deduplicated by job id); returns the job id.

	A job that RQ still lists as *started* while nobody holds the import's lock belongs to a worker that
	died: it is dropped so that the import can be queued again (the rerun continues where it stopped).
	"""
	from frappe.utils.background_jobs import get_job
	from rq.job import JobStatus

	job_id = job_id_of(import_name)
	if not is_running(import_name):
		job = get_job(job_id)
		if job and job.get_status() == JobStatus.STARTED:
			job.delete()
	frappe.enqueue(
		JOB_METHOD,
		queue="long",
		timeout=3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=after_commit,
		now=bool(frappe.flags.in_test),  # Frappe's test runner runs it inline, as Frappe's own code does
		import_name=import_name,
		batch_size=int(batch_size),
	)
	return job_id


def run_matching(import_name: str, batch_size: int = BATCH_SIZE) -> dict:
	"""Match and post the import's lines not written yet, batch by batch (module docstring); safe to rerun.

	Returns the import's counters. Does nothing (``{"status": "running elsewhere"}``) when another run holds
	the import's lock.
	"""
	from pinjaman_online.billing.realisation import load_lines
	from pinjaman_online.monitoring import record_reconciliation

	lock = _lock_name(import_name)
	# A few seconds' wait: the lock of a worker that just died is released when the server notices.
	if not frappe.db.sql("SELECT GET_LOCK(%s, 5)", lock)[0][0]:
		return {"status": "running elsewhere"}
	try:
		doc = frappe.get_doc("Pension Cut Import", import_name)
		if doc.docstatus != 1 or doc.status in ("Reconciled", "Cancelled"):
			return {"status": doc.status}
		_set(
			import_name,
			status="Matching",
			started_at=doc.started_at or now(),
			runs=(doc.runs or 0) + 1,
			error=None,
		)
		frappe.db.commit()
		done = frappe.db.sql(
			"SELECT COUNT(*), MAX(line_no) FROM `tabPension Cut Import Line` WHERE cut_import = %s",
			import_name,
		)[0]
		processed, last = done[0] or 0, done[1] or 0
		todo = [line for line in load_lines(doc) if line.line_no > last]
		context = Context.load(doc, todo)
		for start in range(0, len(todo), batch_size):
			lines = todo[start : start + batch_size]
			write_outcomes(match_and_post(lines, context.matcher, context), context)
			processed += len(lines)
			progress = min(99.0, 100.0 * processed / max(doc.total_lines, 1))
			_set(import_name, processed_lines=processed, progress=progress)
			frappe.db.commit()
			frappe.publish_progress(
				progress,
				title=_("Matching {0}").format(import_name),
				doctype="Pension Cut Import",
				docname=import_name,
				description=_("{0} of {1} lines").format(processed, doc.total_lines),
			)
		retried = retry_earlier_exceptions(doc)
		counters = refresh_counters(import_name)
		_set(import_name, status="Reconciled", progress=100, finished_at=now(), retried_count=retried)
		record_reconciliation(import_name)
		frappe.db.commit()
		frappe.publish_progress(100, title=_("Matching {0}").format(import_name), doctype="Pension Cut Import",
			docname=import_name, description=_("Reconciled"))  # fmt: skip
		return {**counters, "status": "Reconciled", "retried_count": retried}
	except Exception:
		frappe.db.rollback()
		_set(import_name, status="Failed", error=frappe.get_traceback()[-2000:])
		frappe.db.commit()
		raise
	finally:
		frappe.db.sql("SELECT RELEASE_LOCK(%s)", lock)


def _set(import_name: str, **values):
	frappe.db.set_value("Pension Cut Import", import_name, values, update_modified=False)


# ------------------------------------------------------------------------------------------- context


@dataclass
class Context:
	"""What matching one import needs: its header values, the matcher and the export lines by name."""

	name: str
	pension_fund: str
	period: str
	posting_date: datetime.date
	tolerance: Decimal
	matcher: Matcher
	bill_lines: dict[str, BillLine]
	user: str
	posting_dates: dict[str, datetime.date] = field(default_factory=dict)
	installments: dict[str, tuple] = field(default_factory=dict)

	@classmethod
	def load(cls, doc, lines: list[dict]) -> "Context":
		keys = {(line.pension_number, line.nik) for line in lines}
		matcher, bill_lines, installments = build_matcher(
			doc.pension_fund, doc.period, keys, money(doc.tolerance)
		)
		return cls(
			name=doc.name,
			pension_fund=doc.pension_fund,
			period=doc.period,
			posting_date=getdate(doc.posting_date),
			tolerance=money(doc.tolerance),
			matcher=matcher,
			bill_lines=bill_lines,
			user=frappe.session.user,
			installments=installments,
		)

	@property
	def horizon(self) -> datetime.date:
		"""Installments due until the end of the period (or the posting date, if later) are read first."""
		return max(_period(self.period).end, self.posting_date)


def _period(text: str) -> Period:
	return Period(*map(int, text.split("-")))


def bills_of(
	pension_fund: str, period: str
) -> tuple[dict[str, list[BillLine]], dict[str, BillLine], dict[str, tuple]]:
	"""The submitted exports' lines of a fund and period with what is realised on them: member → bill lines
	(oldest due first), by name, and export line → (its Loan Installment, installment number)."""
	realised = realised_on_export_lines(pension_fund, period)
	by_member, by_name, installments = defaultdict(list), {}, {}
	for row in frappe.db.sql(
		"""SELECT el.name, el.member, el.loan, el.amount, el.loan_installment, el.installment_number
		FROM `tabPension Cut Export Line` el
		WHERE el.cut_export IN (
			SELECT e.name FROM `tabPension Cut Export` e
			WHERE e.docstatus = 1 AND e.pension_fund = %s AND e.period = %s
		)
		ORDER BY el.member, el.due_date, el.loan, el.line_no""",
		(pension_fund, period),
		as_dict=True,
	):
		line = BillLine(row.name, row.loan, money(row.amount), realised.get(row.name, ZERO))
		by_member[row.member].append(line)
		by_name[row.name] = line
		installments[row.name] = (row.loan_installment, row.installment_number)
	return by_member, by_name, installments


def realised_on_export_lines(pension_fund: str, period: str, member: str | None = None) -> dict[str, Decimal]:
	"""Export line → Rupiah realised on it in the fund and period: the sum of its Posted *Pension Cut
	Realisation* rows (export lines with nothing realised are left out); only the member's with ``member``."""
	condition, values = "", [pension_fund, period]
	if member:
		condition, values = " AND member = %s", [*values, member]
	return {
		name: money(amount)
		for name, amount in frappe.db.sql(
			f"""SELECT export_line, SUM(amount) FROM `tabPension Cut Realisation`
			WHERE pension_fund = %s AND period = %s AND status = 'Posted'{condition}
			GROUP BY export_line HAVING SUM(amount) > 0""",
			values,
		)
	}


def members_by_keys(keys) -> tuple[dict[str, str], dict[str, str]]:
	"""(pension number → member, NIK → member), normalised, for the members carrying any of ``keys``
	((pension number, NIK) pairs)."""
	numbers = sorted({k[0].strip() for k in keys if k[0]})
	niks = sorted({k[1].strip() for k in keys if k[1]})
	by_pn, by_nik = {}, {}
	size = 2000
	for start in range(0, max(len(numbers), len(niks)), size):
		chunk_pn, chunk_nik = numbers[start : start + size] or [""], niks[start : start + size] or [""]
		for name, pension_number, nik in frappe.db.sql(
			f"""SELECT name, pension_number, nik FROM `tabMember`
			WHERE pension_number IN ({", ".join(["%s"] * len(chunk_pn))})
				OR nik IN ({", ".join(["%s"] * len(chunk_nik))})""",
			[*chunk_pn, *chunk_nik],
		):
			if pension_number:
				by_pn[normalise_key(pension_number)] = name
			if nik:
				by_nik[normalise_key(nik)] = name
	return by_pn, by_nik


def build_matcher(
	pension_fund: str, period: str, keys, tolerance: Decimal
) -> tuple[Matcher, dict[str, BillLine], dict[str, tuple]]:
	"""The matcher of a fund and period for the lines with ``keys`` ((pension number, NIK) pairs), the bill
	lines by name and the export lines' installments (:func:`bills_of`)."""
	bills, by_name, installments = bills_of(pension_fund, period)
	by_pn, by_nik = members_by_keys(keys)
	return Matcher(bills, by_pn, by_nik, tolerance), by_name, installments


# ------------------------------------------------------------------------------------------- matching


@dataclass
class Outcome:
	"""One line after matching and posting (Rupiah): what to write back."""

	line: dict
	result: MatchResult
	status: str
	posted: Decimal = ZERO
	refund: Decimal = ZERO
	unposted: Decimal = ZERO
	payment: str | None = None
	loan: str | None = None
	errors: list[str] = field(default_factory=list)
	split: dict[str, Decimal] = field(default_factory=dict)
	payments: dict[str, str] = field(default_factory=dict)  # loan -> the Loan Payment posted on it

	@property
	def needs_exception(self) -> bool:
		return self.status == "Unmatched" or self.unposted > 0


def match_and_post(
	lines: list[dict], matcher: Matcher, context: Context, posting_dates=None
) -> list[Outcome]:
	"""Match ``lines`` in order and post the payments of the matched ones (one bulk call)."""
	outcomes, items, owner = [], [], []
	for line in lines:
		result = matcher.match(
			line.pension_number or "", line.nik or "", money(line.amount), line.reference or ""
		)
		outcome = Outcome(line, result, result.status.value)
		outcomes.append(outcome)
		date = (
			getdate(line.deduction_date)
			if line.deduction_date
			else (posting_dates or {}).get(line.name, context.posting_date)
		)
		for k, (loan, amount) in enumerate(result.per_loan()):
			key = line.name if k == 0 else f"{line.name}/{k + 1}"
			items.append(PaymentItem(key, loan, amount, date, "Pension Deduction", line.cut_import))
			owner.append(outcome)
	posted = post_payments(items, horizon=context.horizon, user=context.user)
	for outcome, res in zip(owner, posted, strict=True):
		intended = res.item.amount
		outcome.posted += res.posted
		outcome.refund += res.unallocated if not res.error else ZERO
		if res.payment and not outcome.payment:
			outcome.payment, outcome.loan = res.payment, res.item.loan
		if res.payment and not res.error:
			outcome.payments[res.item.loan] = res.payment
		if res.error:
			outcome.errors.append(res.error)
			outcome.unposted += intended
		_give_back(outcome, res.item.loan, intended - (res.posted if not res.error else ZERO), context)
	for outcome in outcomes:
		outcome.refund += outcome.result.refund
		for p in outcome.result.postings:
			outcome.split[p.bill_line] = outcome.split.get(p.bill_line, ZERO) + p.amount
		outcome.split = {k: v for k, v in outcome.split.items() if v > 0}
		if outcome.result.status != MatchStatus.UNMATCHED and outcome.errors and not outcome.posted:
			outcome.status = "Unmatched"
		if not outcome.loan and outcome.result.postings:
			outcome.loan = outcome.result.postings[0].loan
	return outcomes


def _give_back(outcome: Outcome, loan: str, amount: Decimal, context: Context):
	"""Take ``amount`` not posted on ``loan`` off what the matcher counted as realised (latest line first)."""
	if amount <= 0:
		return
	for p in reversed(outcome.result.postings):
		if p.loan != loan or amount <= 0:
			continue
		line = context.bill_lines.get(p.bill_line)
		part = min(amount, p.amount)
		if line is not None:
			line.realised -= part
		outcome.split[p.bill_line] = outcome.split.get(p.bill_line, ZERO) - part
		amount -= part


# ------------------------------------------------------------------------------------------- writing


def write_outcomes(outcomes: list[Outcome], context: Context, retry_of: dict | None = None):
	"""Write exceptions, refund requests and the lines with their outcome for ``outcomes``.

	``retry_of``: line name → open exception being retried (the line exists: it is rewritten, and no new
	exception is made: the existing one is resolved when the line is posted, else its retry count goes up).
	"""
	stamp, user = now_datetime(), context.user
	retry_of = retry_of or {}
	new_exceptions = [o for o in outcomes if o.needs_exception and o.line.name not in retry_of]
	exception_names = iter(reserve_names(EXCEPTION_SERIES, len(new_exceptions)))
	refunds = [o for o in outcomes if o.refund > 0]
	refund_names = iter(reserve_names(REFUND_SERIES, len(refunds)))
	accounts = default_accounts({o.result.member for o in refunds if o.result.member})
	exception_rows, refund_rows, line_rows = [], [], []
	for o in outcomes:
		exception = refund = None
		line = o.line
		message = "; ".join(filter(None, [o.result.message, *o.errors])) or None
		if o.needs_exception and line.name not in retry_of:
			exception = next(exception_names)
			reason = o.result.reason.value if o.result.reason else "Posting Failed"
			exception_rows.append(
				(
					exception, user, user, stamp, stamp, 0, 0, EXCEPTION_SERIES, "Open", reason, message,
					line.pension_fund, line.period, line.cut_import, line.name, line.line_no, line.pension_number,
					line.nik, line.member_name, o.result.member, o.unposted or line.amount, o.result.expected,
					o.loan if o.unposted else None, 0,
				)
			)  # fmt: skip
		if o.refund > 0:
			refund = next(refund_names)
			bank = accounts.get(o.result.member) or {}
			refund_rows.append(
				(
					refund, user, user, stamp, stamp, 0, 0, REFUND_SERIES, o.result.member, bank.get("full_name"),
					o.loan, o.refund, refund_reason(o, context), "Requested", line.pension_fund, line.period,
					line.cut_import, line.name, bank.get("bank_name"), bank.get("account_number"),
					bank.get("account_holder"),
				)
			)  # fmt: skip
		line_rows.append(
			(
				line.name, user, user, stamp, stamp, 0, 0, line.cut_import, line.line_no, line.period,
				line.pension_fund, line.pension_number, line.nik, line.member_name, line.reference,
				line.deduction_date, line.amount, o.status, o.result.member, o.result.expected, o.result.difference,
				int(o.result.within_tolerance), o.posted, o.refund, o.loan, o.payment, next(iter(o.split), None),
				refund, exception or (retry_of.get(line.name) or {}).get("name"), message,
			)
		)  # fmt: skip
	insert_rows("Reconciliation Exception", EXCEPTION_FIELDS, exception_rows)
	insert_rows("Refund Request", REFUND_FIELDS, refund_rows)
	# ledger: deductions that pay no loan are held in suspense or owed back (refunds payable)
	post_held_money("Reconciliation Exception", [r[0] for r in exception_rows], context.posting_date)
	post_held_money("Refund Request", [r[0] for r in refund_rows], context.posting_date)
	insert_rows(
		"Pension Cut Import Line", LINE_FIELDS, line_rows, upsert=bool(retry_of), keep=("owner", "creation")
	)
	write_realisations(
		[
			Realisation(o.line, export_line, amount, context.bill_lines[export_line].loan, o.result.member,
				o.payments.get(context.bill_lines[export_line].loan))
			for o in outcomes
			for export_line, amount in o.split.items()
			if amount > 0
		],
		context.installments,
		user,
	)  # fmt: skip


@dataclass(frozen=True)
class Realisation:
	"""What import ``line`` realised on ``export_line``: ``amount`` Rupiah on ``loan`` of ``member``, posted
	by the Loan Payment ``payment``."""

	line: dict
	export_line: str
	amount: Decimal
	loan: str
	member: str | None
	payment: str | None


def write_realisations(realisations: list[Realisation], installments: dict[str, tuple], user: str) -> int:
	"""Insert one *Pension Cut Realisation* row (status Posted) per item, in the caller's transaction (the one
	that posts the payments); returns how many. ``installments``: export line → (Loan Installment,
	installment number), as :func:`bills_of` gives them. Names are one block of ``PCR-.YYYY.-.########``."""
	names = iter(reserve_names(REALISATION_SERIES, len(realisations)))
	stamp = now_datetime()
	rows = []
	for r in realisations:
		installment, number = installments.get(r.export_line) or (None, None)
		rows.append(
			(
				next(names), user, user, stamp, stamp, 0, 0, REALISATION_SERIES, r.line.cut_import, r.line.name,
				r.line.pension_fund, r.line.period, "Posted", r.amount, r.export_line, installment, number or 0,
				r.member, r.loan, r.payment,
			)
		)  # fmt: skip
	return insert_rows("Pension Cut Realisation", REALISATION_FIELDS, rows)


def refund_reason(o: Outcome, context: Context) -> str:
	if o.result.status == MatchStatus.OVER and o.result.expected == 0:
		return f"Deducted Rp {o.result.realised} for {o.line.period} which was already realised"
	if o.result.status == MatchStatus.OVER:
		return (
			f"Over-deduction in {o.line.period}: deducted Rp {o.result.realised}, expected Rp {o.result.expected} "
			f"(tolerance Rp {context.tolerance})"
		)
	return f"Deducted Rp {o.result.realised} in {o.line.period}, more than everything owed on loan {o.loan}"


def default_accounts(members: set[str]) -> dict[str, dict]:
	"""member → its name and default bank account (for refund payouts)."""
	if not members:
		return {}
	marks = ", ".join(["%s"] * len(members))
	out = {}
	for row in frappe.db.sql(
		f"""SELECT m.name, m.full_name, a.bank_name, a.account_number, a.account_holder
		FROM `tabMember` m LEFT JOIN `tabMember Bank Account` a
			ON a.parent = m.name AND a.parenttype = 'Member' AND a.is_default = 1
		WHERE m.name IN ({marks})""",
		list(members),
		as_dict=True,
	):
		out.setdefault(row.name, row)
	return out


def refresh_counters(import_name: str) -> dict:
	"""Recompute an import's results from its lines (counts and Rupiah per status) and store them."""
	rows = frappe.db.sql(
		"""SELECT status, COUNT(*) AS n, SUM(amount) AS amount, SUM(posted_amount) AS posted,
			SUM(refund_amount) AS refund,
			SUM(CASE WHEN status IN ('Matched', 'Short', 'Over') THEN difference END) AS diff
		FROM `tabPension Cut Import Line` WHERE cut_import = %s GROUP BY status""",
		import_name,
		as_dict=True,
	)
	by = {r.status: r for r in rows}
	values = {
		"matched_count": (by.get("Matched") or {}).get("n") or 0,
		"short_count": (by.get("Short") or {}).get("n") or 0,
		"over_count": (by.get("Over") or {}).get("n") or 0,
		"unmatched_count": (by.get("Unmatched") or {}).get("n") or 0,
		"unmatched_amount": money((by.get("Unmatched") or {}).get("amount") or 0),
		"posted_amount": money(sum((r.posted or 0) for r in rows)),
		"refund_amount": money(sum((r.refund or 0) for r in rows)),
		"difference_amount": money(sum((r.diff or 0) for r in rows)),
	}
	_set(import_name, **values)
	return values


# ------------------------------------------------------------------------------------------- retries


def retry_earlier_exceptions(doc) -> int:
	"""Match the fund's open exceptions of earlier periods again (module docstring); returns how many matched."""
	open_rows = frappe.db.sql(
		f"""SELECT x.name, x.import_line, x.period, x.retry_count
		FROM `tabReconciliation Exception` x
		WHERE x.status = 'Open' AND x.pension_fund = %s AND x.period < %s
			AND x.reason IN ({", ".join(["%s"] * len(RETRIABLE))}) AND x.import_line IS NOT NULL
		ORDER BY x.period, x.name FOR UPDATE""",
		(doc.pension_fund, doc.period, *RETRIABLE),
		as_dict=True,
	)
	matched = 0
	by_period = defaultdict(list)
	for row in open_rows:
		by_period[row.period].append(row)
	for period, rows in sorted(by_period.items()):
		by_line = {r.import_line: r for r in rows}
		lines = frappe.db.sql(
			f"""SELECT l.name, l.line_no, l.cut_import, l.period, l.pension_fund, l.pension_number, l.nik,
				l.member_name, l.reference, l.deduction_date, l.amount, i.posting_date
			FROM `tabPension Cut Import Line` l JOIN `tabPension Cut Import` i ON i.name = l.cut_import
			WHERE l.name IN ({", ".join(["%s"] * len(by_line))}) AND l.status = 'Unmatched' AND i.docstatus = 1
			ORDER BY l.cut_import, l.line_no""",
			list(by_line),
			as_dict=True,
		)
		if not lines:
			continue
		matcher, bill_lines, installments = build_matcher(
			doc.pension_fund, period, [(x.pension_number, x.nik) for x in lines], money(doc.tolerance)
		)
		context = Context(
			name=doc.name, pension_fund=doc.pension_fund, period=period,
			posting_date=getdate(doc.posting_date), tolerance=money(doc.tolerance), matcher=matcher,
			bill_lines=bill_lines, user=frappe.session.user, installments=installments,
		)  # fmt: skip
		outcomes = match_and_post(lines, matcher, context, {x.name: getdate(x.posting_date) for x in lines})
		write_outcomes(outcomes, context, retry_of=by_line)
		stamp = now_datetime()
		resolved, retried = [], []
		for o in outcomes:
			exception = by_line[o.line.name]
			if o.status != "Unmatched" and not o.unposted:
				matched += 1
				resolved.append(exception.name)
				frappe.db.set_value(
					"Reconciliation Exception",
					exception.name,
					{
						"status": "Resolved",
						"resolution": "Matched on Retry",
						"member": o.result.member,
						"loan": o.loan,
						"loan_payment": o.payment,
						"refund_request": frappe.db.get_value(
							"Pension Cut Import Line", o.line.name, "refund_request"
						),
						"resolution_note": _("Matched again by {0} ({1}): {2}").format(
							doc.name, doc.period, o.status
						),
						"resolved_by": frappe.session.user,
						"resolved_on": stamp,
						"retry_count": (exception.retry_count or 0) + 1,
						"last_retry_import": doc.name,
					},
				)
			else:
				retried.append((exception.name, (exception.retry_count or 0) + 1, doc.name, stamp))
		insert_rows(
			"Reconciliation Exception",
			("name", "retry_count", "last_retry_import", "modified"),
			retried,
			upsert=True,
		)
		reverse_journals("Reconciliation Exception", resolved)  # ledger: out of suspense, now posted
		for import_name in {x.cut_import for x in lines}:
			refresh_counters(import_name)
	return matched


# ------------------------------------------------------------------------------------------- reversal


def payments_of_import(import_name: str) -> list[dict]:
	"""The submitted Loan Payments posted for an import's lines (automatically, on retry or by hand)."""
	return frappe.db.sql(
		"""SELECT name, loan, source_key, amount, creation FROM `tabLoan Payment`
		WHERE docstatus = 1 AND source_key LIKE %s ORDER BY creation""",
		f"{import_name}-%",
		as_dict=True,
	)


def cancel_import(doc):
	"""Reverse everything an import posted (its Pension Cut Import ``on_cancel``), in one transaction.

	Refused when a refund of the import is already paid, or when a loan has a payment posted after the
	import's (reversals go newest first, as for a Payment Reversal). Payments are cancelled in bulk exactly as
	their own cancel does; refund requests are cancelled; open exceptions are closed; lines become Reversed
	and so do the import's realisations: the export lines lose what the import realised on them.
	"""
	from pinjaman_online.servicing.bulk import cancel_payments

	paid = frappe.get_all("Refund Request", {"cut_import": doc.name, "status": "Paid"}, pluck="name")
	if paid:
		frappe.throw(
			_("Refunds {0} of this import are already paid: the import cannot be cancelled").format(
				", ".join(paid)
			),
			exc=ImportStateError,
		)
	payments = payments_of_import(doc.name)
	check_no_later_payments(payments)
	for name in frappe.get_all("Refund Request", {"cut_import": doc.name, "docstatus": 1}, pluck="name"):
		refund = frappe.get_doc("Refund Request", name)
		refund.flags.ignore_permissions = True
		refund.cancel()
	frappe.db.sql(
		"""UPDATE `tabRefund Request` SET docstatus = 2, status = 'Cancelled', modified = %s
		WHERE cut_import = %s AND docstatus = 0""",
		(now(), doc.name),
	)
	cancel_payments([p.name for p in payments])
	for voucher_type in ("Reconciliation Exception", "Refund Request"):  # ledger: suspense, refunds payable
		reverse_journals(voucher_type, frappe.get_all(voucher_type, {"cut_import": doc.name}, pluck="name"))
	frappe.db.sql(
		"""UPDATE `tabPension Cut Import Line` SET status = 'Reversed', modified = %s WHERE cut_import = %s""",
		(now(), doc.name),
	)
	reverse_realisations("cut_import", doc.name)
	frappe.db.sql(
		"""UPDATE `tabReconciliation Exception` SET status = 'Resolved', resolution = 'Dismissed',
			resolution_note = %s, resolved_by = %s, resolved_on = %s, modified = %s
		WHERE cut_import = %s AND status = 'Open'""",
		(_("Import {0} cancelled").format(doc.name), frappe.session.user, now(), now(), doc.name),
	)
	frappe.db.sql(
		"""UPDATE `tabReconciliation Exception`
		SET resolution_note = CONCAT(COALESCE(resolution_note, ''), %s), modified = %s
		WHERE cut_import = %s AND status = 'Resolved' AND resolution IN ('Posted', 'Refunded', 'Matched on Retry')""",
		(" — " + _("reversed: import {0} cancelled").format(doc.name), now(), doc.name),
	)


def check_no_later_payments(payments: list[dict]):
	"""Refuse when a loan has a submitted payment newer than the first of ``payments`` on it (not among them)."""
	first = {}
	for p in payments:
		first.setdefault(p.loan, p.creation)
	mine = {p.name for p in payments}
	later = []
	loans = sorted(first)
	for start in range(0, len(loans), 1000):
		chunk = loans[start : start + 1000]
		for row in frappe.db.sql(
			f"""SELECT name, loan, creation FROM `tabLoan Payment`
			WHERE docstatus = 1 AND loan IN ({", ".join(["%s"] * len(chunk))})""",
			chunk,
			as_dict=True,
		):
			if row.name not in mine and row.creation > first[row.loan]:
				later.append(f"{row.name} ({row.loan})")
	if later:
		frappe.throw(
			_("Later payments exist on these loans: {0}. Reverse them first, newest first").format(
				", ".join(later[:20]) + (" …" if len(later) > 20 else "")
			),
			title=_("Cannot cancel"),
			exc=ImportStateError,
		)


def reverse_realisations(column: str, value: str) -> int:
	"""Mark Reversed the Posted realisations whose ``column`` ("cut_import" or "loan_payment") is ``value``,
	in the caller's transaction (the reversal's); returns how many."""
	if column not in ("cut_import", "loan_payment"):
		raise ValueError(f"realisations are reversed by import or by payment, not by {column}")
	stamp = now()
	frappe.db.sql(
		f"""UPDATE `tabPension Cut Realisation` SET status = 'Reversed', reversed_on = %s, modified = %s,
			modified_by = %s
		WHERE `{column}` = %s AND status = 'Posted'""",
		(stamp, stamp, frappe.session.user, value),
	)
	return frappe.db.sql("SELECT ROW_COUNT()")[0][0]


def on_payment_cancel(payment, method=None):
	"""doc_events hook (billing): a billing payment cancelled on its own (a Payment Reversal, or Cancel in the
	desk) no longer realises its export lines: its realisations are marked Reversed, its amount leaves the
	import line's posted amount, and the line is Reversed when nothing of it stays posted."""
	reverse_realisations("loan_payment", payment.name)
	line_name = (payment.source_key or "").split("/")[0]
	line = frappe.db.get_value(
		"Pension Cut Import Line", line_name, ["name", "cut_import", "posted_amount", "status"], as_dict=True
	) if line_name else None  # fmt: skip
	if not line:
		return
	posted = max(money(line.posted_amount) - money(payment.amount), ZERO)
	frappe.db.set_value(
		"Pension Cut Import Line",
		line.name,
		{"posted_amount": posted, "status": "Reversed" if not posted else line.status},
	)
	refresh_counters(line.cut_import)
