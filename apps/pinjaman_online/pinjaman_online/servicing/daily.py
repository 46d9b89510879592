"""The daily servicing run: close of business (seed 004 §4 LMS steps 5 and 9; §8 aging generated monthly).

For every active or defaulted loan, as of a date: accrue late-payment penalties from the product's penalty
rule (``lending.penalties``), recompute the loan's figures, days past due, aging bucket and collectibility,
and flag the loan Default when it is more days past due than *Pinjaman Online Settings → Default After*
(``lending.lifecycle``), through the one writer of loan state (``servicing.state``). On the last day of a
month the aging snapshot of that month is taken. For loans on Accrual basis the interest falling due and the
penalties accrued post their accrual journals (``accounting.posting.accrue_loans``).

Partitioned, in the manner of Fineract's partitioned close of business:

* **a run** is the *Servicing Run* of its date (one record per date: the figures of its latest run, a log of
  all runs); starting it numbers the run and splits the live loans, in name order, into chunks of
  ``chunk_size`` loans, each a *Servicing Run Chunk* (its first and last loan name, status, figures);
* **each chunk is a job** on RQ's long queue (inline when not run by a worker, e.g. from the console or a
  test), done in one transaction: it locks its loans (``FOR UPDATE``, by name), reads their installments
  with a few set-based statements, and writes only what changes with multi-row statements — penalty
  accrual rows (*Loan Penalty Accrual*, one per installment and date), installments, loans, status change
  records;
* **idempotent and resumable**: penalties accrue from the date already accrued (an installment accrues at
  most once per date, its accrual named by installment and date) and a loan's state is recomputed from its
  installments, so a chunk done twice changes nothing the second time. A worker killed during a chunk
  leaves the chunk's transaction rolled back and the chunk *Running*; :func:`resume_run` (or a new run)
  does it again. The chunk that completes a run (under the run's row lock) sums the figures, takes the
  month-end snapshot and marks the run Completed;
* **progress** is published to the run's form (``frappe.publish_progress``) after each chunk.

Runs from the scheduler (``daily_long``), or ``run_daily_servicing(as_of)`` by hand.
"""

import os
import time
from datetime import date

import frappe
from frappe import _
from frappe.utils import add_months, get_last_day, getdate, now, now_datetime, today

from pinjaman_online.accounting.posting import accrual_products, accrue_loans
from pinjaman_online.lending.aging import collectibility, dpd_bucket
from pinjaman_online.lending.lifecycle import LIVE, needs_refresh
from pinjaman_online.lending.penalties import PenaltyRule, accrual_start, accrue
from pinjaman_online.servicing import state
from pinjaman_online.servicing.bulk import money
from pinjaman_online.servicing.penalty_caps import late_fee_budgets
from pinjaman_online.utils import STANDARD_FIELDS, get_settings, insert_rows, to_money

CHUNK_SIZE = 5000  # loans per chunk: large enough that a chunk's statements dominate its job's overhead
FIGURES = ("loans_processed", "loans_changed", "penalties_accrued", "installments_penalised",
	"loans_defaulted", "status_changes")  # fmt: skip
CHUNK_FIELDS = (
	*STANDARD_FIELDS,
	"servicing_run",
	"run_number",
	"chunk_no",
	"status",
	"first_loan",
	"last_loan",
	"loans",
	"attempts",
)
ACCRUAL_FIELDS = (
	*STANDARD_FIELDS,
	"loan",
	"loan_installment",
	"installment_number",
	"accrual_date",
	"amount",
	"days",
	"accrued_from",
	"penalty_rule",
	"servicing_run",
)
INSTALLMENT_PENALTY = ("name", "penalty_amount", "outstanding_amount", "last_penalty_date", "modified")


def _commit():
	"""Commit a finished step, so a killed worker leaves whole chunks; tests keep their rollback."""
	if not frappe.flags.in_test:
		frappe.db.commit()


def scheduled_run():
	"""Scheduler entry (daily_long): today's run, its chunks queued on the long queue."""
	run_daily_servicing()


def _in_worker() -> bool:
	from rq import get_current_job

	return get_current_job() is not None and not frappe.flags.in_test


def run_daily_servicing(
	as_of: str | date | None = None,
	chunk_size: int | None = None,
	partition: bool | None = None,
	jobs: int | None = None,
) -> dict:
	"""Start the daily run as of ``as_of`` (default today): a new run of that date's Servicing Run.

	``chunk_size``: loans per chunk (default :data:`CHUNK_SIZE`); ``partition``: have the chunks done by jobs
	on RQ's long queue (default: when called by an RQ worker) instead of one after the other here; ``jobs``:
	how many jobs take the chunks (default: one per worker listening on the long queue).
	Returns ``{run_date, runs, chunks, queued}`` and, when done here, the run's figures (:data:`FIGURES`;
	``penalties_accrued`` in Rupiah).
	"""
	as_of = getdate(as_of or today())
	partition = _in_worker() if partition is None else partition
	run, chunks = _start_run(as_of, int(chunk_size or CHUNK_SIZE))
	if partition:
		jobs = _enqueue_drainers(run.name, run.runs, len(chunks), jobs)
		return {"run_date": str(as_of), "runs": run.runs, "chunks": len(chunks), "jobs": jobs, "queued": True}
	drain(run.name, run.runs)
	return {"queued": False, **run_figures(run.name)}


def _long_queue_workers() -> int:
	from frappe.utils.background_jobs import get_queue, get_workers
	from redis.exceptions import RedisError

	try:
		return len(get_workers(get_queue("long")))
	except RedisError:  # Redis unreachable: the enqueue says so
		return 1


def _enqueue_drainers(run: str, number: int, chunks: int, jobs: int | None = None) -> int:
	"""Queue one job per worker of the long queue (at most one per chunk): each takes chunks until none is
	left, so a run costs a job's start once per worker, not once per chunk. Returns how many."""
	count = max(1, min(chunks, jobs or _long_queue_workers()))
	stamp = int(time.time() * 1000)
	for k in range(count):
		frappe.enqueue(
			"pinjaman_online.servicing.daily.drain",
			queue="long",
			timeout=6 * 3600,
			job_id=f"daily-servicing::{run}::{number}::{stamp}-{k}",
			run=run,
			number=number,
		)
	return count


def resume_run(as_of: str | date | None = None, partition: bool | None = None) -> dict:
	"""Do again the chunks of the latest run of ``as_of`` (default today) that did not complete (a killed
	worker leaves its chunk Running, an error leaves it Failed): they are queued again and taken by jobs on
	the long queue when ``partition`` (default: called by a worker), else done here. Returns
	``{run_date, runs, resumed}`` (+ the figures when done here). Raises ``frappe.DoesNotExistError`` when
	the date has no run."""
	as_of = getdate(as_of or today())
	name = str(as_of)
	if not frappe.db.exists("Servicing Run", name):
		frappe.throw(_("No servicing run for {0}").format(name), frappe.DoesNotExistError)
	runs = frappe.db.get_value("Servicing Run", name, "runs")
	resumed = frappe.db.count(
		"Servicing Run Chunk", {"servicing_run": name, "run_number": runs, "status": ("!=", "Completed")}
	)
	frappe.db.sql(
		"""UPDATE `tabServicing Run Chunk` SET status = 'Queued'
		WHERE servicing_run = %s AND run_number = %s AND status != 'Completed'""",
		(name, runs),
	)
	frappe.db.set_value("Servicing Run", name, "status", "Running", update_modified=False)
	_commit()
	partition = _in_worker() if partition is None else partition
	out = {"run_date": name, "runs": runs, "resumed": resumed}
	if partition:
		_enqueue_drainers(name, runs, resumed)
		return out
	drain(name, runs)
	return {**out, **run_figures(name)}


def run_figures(run: str) -> dict:
	"""The figures of a Servicing Run (its latest run): status, runs, chunks and :data:`FIGURES`."""
	doc = frappe.db.get_value(
		"Servicing Run",
		run,
		["run_date", "status", "runs", "chunks", "chunks_completed", *FIGURES],
		as_dict=True,
	)
	return {**doc, "run_date": str(doc.run_date)}


def _start_run(as_of: date, chunk_size: int):
	"""Number a new run of ``as_of``'s Servicing Run and write its chunks; returns (run, chunk names)."""
	name = str(as_of)
	if frappe.db.exists("Servicing Run", name):
		frappe.db.sql("SELECT name FROM `tabServicing Run` WHERE name = %s FOR UPDATE", name)
		run = frappe.get_doc("Servicing Run", name)
		run.runs = (run.runs or 0) + 1
	else:
		run = frappe.get_doc({"doctype": "Servicing Run", "run_date": as_of, "runs": 1})
	names = frappe.db.sql_list(
		"SELECT name FROM `tabLoan` WHERE status IN %(live)s ORDER BY name", {"live": LIVE}
	)
	bounds = [names[i : i + chunk_size] for i in range(0, len(names), chunk_size)]
	run.update(
		{
			"status": "Running",
			"chunk_size": chunk_size,
			"chunks": len(bounds),
			"chunks_completed": 0,
			"started_at": now(),
			"finished_at": None,
			"seconds": 0,
			**dict.fromkeys(FIGURES, 0),
		}
	)
	run.flags.ignore_permissions = True
	run.save()
	stamp, user = now(), frappe.session.user
	chunks = [
		(f"{name}-{run.runs}-{n:04d}", user, user, stamp, stamp, 0, n, name, run.runs, n, "Queued",
			part[0], part[-1], len(part), 0)
		for n, part in enumerate(bounds, 1)
	]  # fmt: skip
	insert_rows("Servicing Run Chunk", CHUNK_FIELDS, chunks)
	_commit()
	if not chunks:
		_finish(run.name, run.runs)
		_commit()
	return run, [c[0] for c in chunks]


def drain(run: str, number: int) -> int:
	"""Take the Queued chunks of run ``number`` of ``run`` one by one (each claimed with an UPDATE, so two
	jobs never take the same chunk) and do each (:func:`process_chunk`) until none is left. Returns how many
	this job did."""
	done = 0
	token = f"{_job_id()} (pid {os.getpid()})"
	frappe.flags.servicing_penalty_rules = None  # read once per job
	isolated = not frappe.flags.in_test
	if isolated:
		# The chunks' transactions in READ COMMITTED: a chunk's locking read of its name range then locks its
		# own loans only (no next-key lock on the neighbouring chunk's first loan, which another job would
		# wait for), and every read sees what is committed.
		frappe.db.sql("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
		frappe.db.commit()
	try:
		while True:
			frappe.db.sql(
				"""UPDATE `tabServicing Run Chunk` SET status = 'Running', job_id = %s
				WHERE servicing_run = %s AND run_number = %s AND status = 'Queued' ORDER BY chunk_no LIMIT 1""",
				(f"{token} #{done}", run, number),
			)
			chunk = frappe.db.get_value(
				"Servicing Run Chunk",
				{
					"servicing_run": run,
					"run_number": number,
					"status": "Running",
					"job_id": f"{token} #{done}",
				},
			)
			_commit()
			if not chunk:
				return done
			process_chunk(chunk)
			done += 1
	finally:
		frappe.flags.servicing_penalty_rules = None
		if isolated:
			frappe.db.sql("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _job_id() -> str:
	if frappe.flags.in_test:
		return "inline"
	from rq import get_current_job

	job = get_current_job()
	return job.id if job else "inline"


def process_chunk(chunk: str) -> dict:
	"""Do one chunk of a run (module docstring): its loans' penalties and state, then the chunk's figures;
	the chunk that completes its run finishes the run. A chunk already Completed is left alone. Returns the
	chunk's figures. An error marks the chunk Failed (with the error) and is raised again."""
	c = frappe.db.get_value(
		"Servicing Run Chunk",
		chunk,
		["name", "servicing_run", "run_number", "chunk_no", "status", "first_loan", "last_loan", "attempts",
			"job_id"],
		as_dict=True,
	)  # fmt: skip
	if not c or c.status == "Completed":
		return {}
	started = time.perf_counter()
	_set_chunk(chunk, status="Running", attempts=(c.attempts or 0) + 1, started_at=now(), error=None,
		job_id=c.job_id or f"{_job_id()} (pid {os.getpid()})")  # fmt: skip
	_commit()
	if frappe.flags.in_test:
		frappe.db.savepoint("servicing_chunk")
	try:
		figures = service_loans(c.first_loan, c.last_loan, getdate(c.servicing_run), c.servicing_run)
		frappe.db.sql("SELECT name FROM `tabServicing Run` WHERE name = %s FOR UPDATE", c.servicing_run)
		_set_chunk(chunk, status="Completed", finished_at=now(), seconds=time.perf_counter() - started,
			**figures)  # fmt: skip
		done, total = _progress(c.servicing_run, c.run_number)
		if c.run_number == frappe.db.get_value("Servicing Run", c.servicing_run, "runs"):
			if done == total:
				_finish(c.servicing_run, c.run_number)
			else:
				frappe.db.set_value(
					"Servicing Run", c.servicing_run, "chunks_completed", done, update_modified=False
				)
		_commit()
	except Exception:
		# The chunk's work is undone whole (in a test, back to the chunk's savepoint).
		frappe.db.rollback(save_point="servicing_chunk" if frappe.flags.in_test else None)
		_set_chunk(chunk, status="Failed", error=frappe.get_traceback()[-2000:])
		_commit()
		raise
	frappe.publish_progress(
		100 * done / max(total, 1),
		title=_("Daily servicing"),
		doctype="Servicing Run",
		docname=c.servicing_run,
		description=_("{0} of {1} chunks").format(done, total),
	)
	return figures


def _set_chunk(chunk: str, **values):
	frappe.db.set_value("Servicing Run Chunk", chunk, values, update_modified=False)


def _progress(run: str, number: int) -> tuple[int, int]:
	"""(chunks completed, chunks) of run ``number``, read while the run's row is locked (the chunks finish one
	at a time), in READ COMMITTED (:func:`drain`): the last chunk to finish sees every other one Completed."""
	rows = frappe.db.sql(
		"SELECT status FROM `tabServicing Run Chunk` WHERE servicing_run = %s AND run_number = %s",
		(run, number),
	)
	return sum(1 for (s,) in rows if s == "Completed"), len(rows)


def _finish(run: str, number: int):
	"""Sum the chunks' figures onto the run, take the month-end snapshot, mark the run Completed."""
	sums = frappe.db.sql(
		f"""SELECT COUNT(*), {", ".join(f"COALESCE(SUM({f}), 0)" for f in FIGURES)}
		FROM `tabServicing Run Chunk` WHERE servicing_run = %s AND run_number = %s""",
		(run, number),
		as_list=True,
	)[0]
	as_of = getdate(run)
	if as_of == getdate(get_last_day(as_of)):
		take_aging_snapshot(as_of.strftime("%Y-%m"))
	doc = frappe.get_doc("Servicing Run", run)
	totals = dict(zip(FIGURES, sums[1:], strict=True))
	finished = now_datetime()
	doc.update(
		{
			**totals,
			"status": "Completed",
			"chunks_completed": sums[0],
			"finished_at": finished,
			"seconds": (finished - doc.started_at).total_seconds() if doc.started_at else 0,
		}
	)
	shown = {k: (int(v) if k != "penalties_accrued" else money(v)) for k, v in totals.items()}
	doc.log = (doc.log or "") + _("Run {0} at {1}: {2}").format(number, now(), shown) + "\n"
	doc.flags.ignore_permissions = True
	doc.save()


def _penalty_rules() -> dict[str, tuple[PenaltyRule, str]]:
	"""Loan Product → (its enabled penalty rule, the rule's name); products without one are absent. Read once
	per job (:func:`drain`)."""
	if frappe.flags.servicing_penalty_rules is not None:
		return frappe.flags.servicing_penalty_rules
	rules = {}
	for product in frappe.get_all("Loan Product", fields=["name", "penalty_rule"]):
		rule = product.penalty_rule and frappe.db.get_value(
			"Penalty Rule",
			product.penalty_rule,
			["enabled", "grace_days", "daily_rate", "cap_percent"],
			as_dict=True,
		)
		if rule and rule.enabled:
			rules[product.name] = (
				PenaltyRule(
					rule.grace_days,
					to_money(rule.daily_rate),
					to_money(rule.cap_percent) if rule.cap_percent else None,
				),
				product.penalty_rule,
			)
	frappe.flags.servicing_penalty_rules = rules
	return rules


def service_loans(first: str, last: str, as_of: date, run: str | None = None) -> dict:
	"""Service the live loans named ``first`` … ``last`` as of ``as_of``, in the caller's transaction:
	lock them, accrue their penalties, write their state. Returns the figures (:data:`FIGURES`)."""
	# The loans are locked by the transaction's first statement, so its first plain read (its snapshot)
	# comes after every payment on them that committed first. Only what decides whether a loan may change is
	# read for all of them; the rest of the row only for those recomputed.
	loans = {
		row.name: row
		for row in frappe.db.sql(
			"""SELECT name, status, loan_product, days_past_due, aging_bucket, collectibility,
				outstanding_principal + outstanding_interest + outstanding_penalty AS owed
			FROM `tabLoan` WHERE name BETWEEN %s AND %s AND status IN %s ORDER BY name FOR UPDATE""",
			(first, last, LIVE),
			as_dict=True,
		)
	}
	threshold = int(get_settings().default_after_days_past_due or 90)
	figures = dict.fromkeys(FIGURES, 0)
	figures["loans_processed"] = len(loans)
	if not loans:
		return figures
	rules = _penalty_rules()
	grace = min((rule.grace_days for rule, _name in rules.values()), default=0)
	# One pass over the chunk's overdue installments: each loan's oldest overdue due date, and whether one of
	# its installments may accrue a penalty today (past the shortest grace, not accrued to today yet).
	overdue = frappe.db.sql(
		"""SELECT loan, MIN(due_date), MAX(due_date < DATE_SUB(%s, INTERVAL %s DAY)
			AND status IN ('Unpaid', 'Partially Paid') AND (last_penalty_date IS NULL OR last_penalty_date < %s))
		FROM `tabLoan Installment`
		WHERE loan BETWEEN %s AND %s AND due_date < %s AND status != 'Cancelled'
			AND principal_amount + interest_amount + penalty_amount
				- principal_paid - interest_paid - penalty_paid > 0
		GROUP BY loan""",
		(as_of, grace, as_of, first, last, as_of),
	)
	oldest = {loan: due for loan, due, _accrues in overdue}
	accruing = [
		loan
		for loan, _due, accrues in overdue
		if accrues and loan in loans and loans[loan].loan_product in rules
	]
	penalised = _accrue_penalties(loans, accruing, as_of, run, figures, rules, grace)
	# Loans without a money event since their last refresh change only by penalties, by days past due (an
	# overdue installment) or by the default rule: only those are recomputed from their installments.
	todo = [
		name
		for name, loan in loans.items()
		if name in penalised
		or needs_refresh(
			loan.status,
			loan.days_past_due,
			loan.aging_bucket,
			loan.collectibility,
			money(loan.owed),
			oldest.get(name),
			as_of,
			threshold,
		)
	]
	zero = money(0)
	found = state.installment_figures(dict.fromkeys(todo, as_of), lock=False)
	computed = {name: (*found.get(name, (zero, zero, zero, zero, None)), as_of) for name in todo}
	rows = state.read_loans(todo, lock=False)  # locked above
	_, changes, written = state.write_states(rows, computed, "daily run", default_after=threshold)
	figures["loans_changed"] = len(written)
	figures["status_changes"] = len(changes)
	figures["loans_defaulted"] = sum(1 for change in changes if change[2] == "Default")
	# Accrual basis: interest due and penalties charged become income, one journal per loan with a difference
	# between its installments and its receivables (the ledger is the record: a rerun posts nothing). Only the
	# loans recomputed (penalised, overdue, paid) or with an installment fallen due since the last completed
	# run can differ; every loan when there is no such run.
	accrual = accrual_products({loan.loan_product for loan in loans.values()})
	if accrual:
		due = _fallen_due(first, last, as_of)
		names = loans if due is None else {*todo, *due}
		accrue_loans(
			{n: loans[n].loan_product for n in names if n in loans and loans[n].loan_product in accrual},
			as_of,
			run,
		)
	return figures


def _fallen_due(first: str, last: str, as_of: date) -> set[str] | None:
	"""Loans named ``first`` … ``last`` with an installment (not cancelled) due after the date of the latest
	completed run before ``as_of`` and on or before ``as_of``; None when no run before ``as_of`` completed."""
	previous = frappe.db.sql(
		"SELECT MAX(run_date) FROM `tabServicing Run` WHERE run_date < %s AND status = 'Completed'", as_of
	)[0][0]
	if not previous:
		return None
	return set(
		frappe.db.sql_list(
			"""SELECT DISTINCT loan FROM `tabLoan Installment` WHERE loan BETWEEN %s AND %s
			AND due_date > %s AND due_date <= %s AND status != 'Cancelled'""",
			(first, last, previous, as_of),
		)
	)


def _accrue_penalties(
	loans: dict, names: list[str], as_of: date, run: str | None, figures: dict, rules: dict, grace: int
) -> set[str]:
	"""Accrue the late penalties of the overdue installments of the loans ``names`` up to ``as_of``: one
	accrual row per installment that accrues (named by installment and date), the installments' penalty,
	outstanding and last accrual date; installments already accrued to ``as_of`` are not read. ``rules``:
	product → (rule, its name); ``grace``: the shortest grace period (days). Returns the names of the loans
	whose installments changed."""
	rows = []
	for start in range(0, len(names), 1000):
		page = names[start : start + 1000]
		rows += frappe.db.sql(
			f"""SELECT name, loan, installment_number, due_date, total_amount,
				principal_amount - principal_paid + interest_amount - interest_paid AS unpaid, penalty_amount,
				penalty_paid, last_penalty_date
			FROM `tabLoan Installment`
			WHERE loan IN ({", ".join(["%s"] * len(page))}) AND due_date < DATE_SUB(%s, INTERVAL %s DAY)
				AND status IN ('Unpaid', 'Partially Paid')
				AND (last_penalty_date IS NULL OR last_penalty_date < %s)""",
			(*page, as_of, grace, as_of),
			as_dict=True,
		)
	stamp, user = now_datetime(), frappe.session.user
	updates, accruals, touched = [], [], set()
	day = as_of.strftime("%Y%m%d")
	budgets = late_fee_budgets(sorted({row.loan for row in rows}))  # OJK caps of online loans, per loan
	rows.sort(key=lambda row: (row.loan, row.due_date))  # a capped loan's oldest installments accrue first
	for row in rows:
		loan = loans.get(row.loan)
		if not loan or loan.loan_product not in rules:
			continue
		rule, rule_name = rules[loan.loan_product]
		unpaid, charged, last = money(row.unpaid), money(row.penalty_amount), row.last_penalty_date
		acc = accrue(rule, row.due_date, money(row.total_amount), unpaid, charged, last, as_of)
		if row.loan in budgets:
			acc = budgets[row.loan].limit(acc)
		if acc.amount == 0 and acc.accrued_to == last:
			continue
		penalty = charged + acc.amount
		updates.append((row.name, penalty, unpaid + penalty - money(row.penalty_paid), acc.accrued_to, stamp))
		touched.add(row.loan)
		if acc.amount:
			since = (
				max(accrual_start(row.due_date, rule), last) if last else accrual_start(row.due_date, rule)
			)
			accruals.append(
				(f"{row.name}-{day}", user, user, stamp, stamp, 0, 0, row.loan, row.name, row.installment_number,
					as_of, acc.amount, acc.days, since, rule_name, run)
			)  # fmt: skip
			figures["penalties_accrued"] += acc.amount
			figures["installments_penalised"] += 1
	insert_rows("Loan Installment", INSTALLMENT_PENALTY, updates, upsert=True)
	insert_rows("Loan Penalty Accrual", ACCRUAL_FIELDS, accruals, upsert=True)
	return touched


def take_aging_snapshot(period: str, taken_on: str | date | None = None) -> int:
	"""Replace the aging snapshot of ``period`` (YYYY-MM) with one row per loan live now and disbursed by the
	period's last day, recording the loans' state as of ``taken_on`` (default: the period's last day; a later
	date for a snapshot caught up after a missed month-end run, see :func:`catch_up_aging_snapshot`). Returns
	the row count."""
	period_end = getdate(get_last_day(f"{period}-01"))
	taken_on = getdate(taken_on) if taken_on else period_end
	frappe.db.delete("Aging Snapshot", {"period": period})
	loans = frappe.get_all(
		"Loan",
		filters={"status": ("in", LIVE), "disbursement_date": ("<=", period_end)},
		fields=[
			"name",
			"member",
			"loan_product",
			"days_past_due",
			"outstanding_principal",
			"outstanding_interest",
			"outstanding_penalty",
		],
	)
	stamp, user = now(), frappe.session.user
	rows = [
		(
			f"{period}-{loan.name}",
			user,
			user,
			stamp,
			stamp,
			0,
			0,
			period,
			loan.name,
			loan.member,
			loan.loan_product,
			loan.days_past_due,
			dpd_bucket(loan.days_past_due),
			collectibility(loan.days_past_due),
			loan.outstanding_principal,
			to_money(loan.outstanding_principal)
			+ to_money(loan.outstanding_interest)
			+ to_money(loan.outstanding_penalty),
			taken_on,
		)
		for loan in loans
	]
	insert_rows(
		"Aging Snapshot",
		(
			*STANDARD_FIELDS,
			"period",
			"loan",
			"member",
			"loan_product",
			"days_past_due",
			"aging_bucket",
			"collectibility",
			"outstanding_principal",
			"outstanding_total",
			"taken_on",
		),
		rows,
	)
	return len(rows)


def catch_up_aging_snapshot(as_of: str | date | None = None) -> str | None:
	"""Take the previous month's aging snapshot when it is missing on ``as_of`` (default today): the daily
	run takes a month's snapshot on its last day, and a month-end run that did not happen (server down, the
	run failed) would otherwise leave the month without one. The snapshot caught up records the loans as
	they stand on ``as_of`` (``taken_on``), restricted to loans disbursed by the month's end; the aging reports
	say so. A month-end run done later for that date replaces it. Returns the period snapshotted, or None.
	Scheduled daily (hooks.py); seed 004 §8 (monthly aging)."""
	as_of = getdate(as_of or today())
	period = add_months(as_of, -1).strftime("%Y-%m")
	if frappe.db.exists("Aging Snapshot", {"period": period}):
		return None
	if not frappe.db.exists("Loan", {"disbursement_date": ("<=", get_last_day(f"{period}-01"))}):
		return None  # no loan existed then: nothing to age
	take_aging_snapshot(period, taken_on=as_of)
	return period
