"""Benchmark: the daily run (close of business) over 100,000 loans, on RQ workers (targets: ≤ 20 s; a rerun with
nothing to change ≤ 5 s; two worker processes measurably faster than one).

Writes N live loans with 12 installments each (1.2 million at 100,000; plain multi-row INSERTs, not timed): 80%
current, 8% 1–30 and 12% 31–200 days past due, their figures stored as the run of four days ago left them, a
penalty rule on their product. Commits them (the workers must see them), starts two worker processes as the
Procfile starts them (``frappe worker``) on a Redis database of their own, and times:

* the floor: one set-based statement computing every loan's days past due over all the installments;
* the runs of the last four days, in date order, done alternately by one job (one worker process working)
  and by two (both), each followed by a rerun with nothing to change: every day is the same kind of work (a
  day more of DPD and penalties for the overdue loans, the loans crossing 90 days defaulted), and
  alternating spreads the machine's changing load over both.

Every loan it wrote, and the rows the runs wrote about them, are deleted at the end, and so are the Servicing
Runs the benchmark made (the days that had none). The runs service every live loan of the site, as the
scheduler's run would.

Run: bin/bench [--site SITE] [--loans N] [--chunk-size N]  (default 100,000 loans). Prints its figures;
asserts nothing.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import frappe
from frappe.utils import add_days, getdate, now, today

PREFIX = "BENCH-DLY-"
BENCH = Path(__file__).resolve().parents[2]
LOAN_FIELDS = (
	"name", "owner", "modified_by", "creation", "modified", "docstatus", "idx", "member", "member_name",
	"loan_product", "status", "principal", "tenor_months", "first_due_date", "disbursement_date",
	"outstanding_principal", "outstanding_interest", "outstanding_penalty", "total_paid", "days_past_due",
	"aging_bucket", "collectibility", "default_date",
)  # fmt: skip
INSTALLMENT_FIELDS = (
	"name", "owner", "modified_by", "creation", "modified", "docstatus", "idx", "loan", "installment_number",
	"due_date", "status", "principal_amount", "interest_amount", "total_amount", "balance_after",
	"principal_paid", "interest_paid", "penalty_amount", "penalty_paid", "last_penalty_date",
	"outstanding_amount",
)  # fmt: skip


def cleanup():
	like = PREFIX + "%"
	for doctype, column in (
		("Loan Penalty Accrual", "loan"),
		("Loan Status Change", "loan"),
		("Loan Installment", "loan"),
		("Aging Snapshot", "loan"),
		("Loan", "name"),
	):
		frappe.db.sql(f"DELETE FROM `tab{doctype}` WHERE `{column}` LIKE %s", like)
	frappe.db.sql("DELETE FROM `tabVersion` WHERE ref_doctype = 'Loan' AND docname LIKE %s", like)
	# the events the runs published (days-past-due milestones) and the notifications they sent
	for doctype in ("Borrower Notification", "Borrower Event"):
		frappe.db.sql(
			f"DELETE FROM `tab{doctype}` WHERE reference_doctype = 'Loan' AND reference_name LIKE %s", like
		)
	frappe.db.commit()


def make_portfolio(count: int, as_of: datetime.date, member, product) -> tuple[int, int]:
	"""Write ``count`` loans and their schedules as they stood the day before ``as_of``."""
	from pinjaman_online.lending.aging import collectibility, dpd_bucket
	from pinjaman_online.utils import insert_rows

	rng = random.Random(11)
	stamp, user = now(), "Administrator"
	yesterday = as_of - datetime.timedelta(days=1)
	loans, rows = [], []
	for i in range(count):
		dpd = rng.choice([0] * 80 + [rng.randint(1, 30)] * 8 + [rng.randint(31, 200)] * 12)
		paid_before = rng.randint(0, 3)
		if dpd:
			first_due = as_of - datetime.timedelta(days=dpd + 30 * paid_before)
		else:
			first_due = as_of + datetime.timedelta(days=rng.randint(0, 29) - 30 * paid_before)
		name = f"{PREFIX}{i:07d}"
		principal_part, interest_part = rng.randrange(5, 50) * 100_000, rng.randrange(1, 10) * 10_000
		total = principal_part + interest_part
		out_p = out_i = out_n = paid_sum = 0
		oldest = None
		for n in range(12):
			due = first_due + datetime.timedelta(days=30 * n)
			paid = n < paid_before
			penalty = 0
			last_penalty = None
			if not paid and due < yesterday - datetime.timedelta(days=5):
				penalty = min(total // 2, total * ((yesterday - due).days - 5) // 1000)
				last_penalty = yesterday
			if not paid and due < yesterday and oldest is None:
				oldest = due
			p_paid, i_paid = (principal_part, interest_part) if paid else (0, 0)
			out_p += principal_part - p_paid
			out_i += interest_part - i_paid
			out_n += penalty
			paid_sum += p_paid + i_paid
			rows.append(
				(f"{name}-{n + 1:03d}", user, user, stamp, stamp, 0, n + 1, name, n + 1, due,
					"Paid" if paid else "Unpaid", principal_part, interest_part, total,
					principal_part * (11 - n), p_paid, i_paid, penalty, 0, last_penalty,
					0 if paid else total + penalty)
			)  # fmt: skip
		stored_dpd = (yesterday - oldest).days if oldest else 0
		loans.append(
			(name, user, user, stamp, stamp, 0, 0, member.name, member.full_name, product.name,
				"Default" if stored_dpd > 90 else "Active", principal_part * 12, 12, first_due,
				first_due - datetime.timedelta(days=30), out_p, out_i, out_n, paid_sum, stored_dpd,
				dpd_bucket(stored_dpd), collectibility(stored_dpd), yesterday if stored_dpd > 90 else None)
		)  # fmt: skip
	insert_rows("Loan", LOAN_FIELDS, loans)
	insert_rows("Loan Installment", INSTALLMENT_FIELDS, rows, chunk_size=2000)
	frappe.db.commit()
	return len(loans), len(rows)


def floor(as_of: datetime.date) -> tuple[float, int]:
	"""One set-based statement: every loan's days past due over all its installments."""
	start = time.perf_counter()
	rows = frappe.db.sql(
		"""SELECT loan, DATEDIFF(%s, MIN(CASE WHEN due_date < %s AND principal_amount + interest_amount
			+ penalty_amount - principal_paid - interest_paid - penalty_paid > 0 THEN due_date END))
		FROM `tabLoan Installment` WHERE status != 'Cancelled' GROUP BY loan""",
		(as_of, as_of),
	)
	return time.perf_counter() - start, len(rows)


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
	"""``count`` worker processes as the Procfile starts them (bin/frappe worker --queue short,default,long)."""
	command = [
		sys.executable,
		"-m",
		"frappe.utils.bench_helper",
		"frappe",
		"worker",
		"--queue",
		"short,default,long",
	]
	return [
		subprocess.Popen(
			command, cwd=BENCH / "sites", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
		)
		for _ in range(count)
	]


def stop_workers(workers):
	for w in workers:
		w.terminate()
	for w in workers:
		try:
			w.wait(timeout=30)
		except subprocess.TimeoutExpired:
			w.kill()


def timed_run(as_of: datetime.date, chunk_size: int, jobs: int) -> tuple[float, dict]:
	from pinjaman_online.servicing.daily import run_daily_servicing, run_figures

	start = time.perf_counter()
	started = run_daily_servicing(as_of, chunk_size=chunk_size, partition=True, jobs=jobs)
	while True:
		frappe.db.rollback()  # a fresh snapshot for each look
		figures = run_figures(str(as_of))
		if figures["status"] == "Completed" and figures["runs"] == started["runs"]:
			return time.perf_counter() - start, figures
		failed = frappe.db.count(
			"Servicing Run Chunk",
			{"servicing_run": str(as_of), "run_number": started["runs"], "status": "Failed"},
		)
		if failed or time.perf_counter() - start > 900:
			raise SystemExit(f"the run of {as_of} did not complete ({failed} chunks failed)")
		time.sleep(0.05)


def drain_queues(timeout: int = 900) -> tuple[float, int]:
	"""Wait until the workers have done every job the run left behind (its events: one job per batch of
	days-past-due milestones, and their notifications), so the next timed run does not share the CPU with
	them. Returns (seconds waited, jobs done meanwhile)."""
	from frappe.utils.background_jobs import get_queues
	from rq.registry import FinishedJobRegistry, StartedJobRegistry

	start = time.perf_counter()
	queues = get_queues()
	finished = sum(FinishedJobRegistry(queue=q).count for q in queues)
	while time.perf_counter() - start < timeout:
		busy = sum(q.count + StartedJobRegistry(queue=q).count for q in get_queues())
		if not busy:
			break
		time.sleep(0.1)
	done = sum(FinishedJobRegistry(queue=q).count for q in get_queues()) - finished
	return time.perf_counter() - start, done


def hold_queue(url: str, timeout: int = 900):
	"""Hold the Redis database ``url`` (the one the billing and servicing fault tests hold too, with the same
	key) while the benchmark's workers use it; returns the function that lets it go."""
	import redis

	conn, key, token = redis.Redis.from_url(url), "pinjaman-online:killed-worker-test", f"bench:{os.getpid()}"
	deadline = time.monotonic() + timeout
	while not conn.set(key, token, nx=True, ex=1800):
		if time.monotonic() > deadline:
			raise SystemExit(f"{url} is held by another run: {conn.get(key)}")
		time.sleep(1)

	def release():
		if conn.get(key) == token.encode():
			conn.delete(key)

	return release


def main():
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--loans", type=int, default=100_000)
	parser.add_argument("--chunk-size", type=int, default=None)
	parser.add_argument("-n", type=int, help="ignored (the loan-booking benchmark's option)")
	args = parser.parse_args()
	# The runs' jobs go to a Redis database of their own, so no other worker of the bench takes them.
	redis = os.environ.get("REDIS_HOST", "127.0.0.1"), os.environ.get("REDIS_PORT", "6379")
	os.environ["FRAPPE_REDIS_QUEUE"] = f"redis://{redis[0]}:{redis[1]}/15"
	claim = hold_queue(os.environ["FRAPPE_REDIS_QUEUE"])
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from pinjaman_online.servicing.daily import CHUNK_SIZE
	from pinjaman_online.tests.factories import make_member, make_product

	chunk_size = args.chunk_size or CHUNK_SIZE
	env = {**os.environ, "PYTHONUNBUFFERED": "1"}
	days = [getdate(add_days(today(), -k)) for k in (3, 2, 1, 0)]
	made = [str(d) for d in days if not frappe.db.exists("Servicing Run", str(d))]
	workers = []
	try:
		cleanup()
		rule = frappe.get_doc(
			{
				"doctype": "Penalty Rule",
				"rule_name": f"Bench {frappe.generate_hash(length=6)}",
				"grace_days": 5,
				"daily_rate": 0.1,
				"cap_percent": 50,
			}
		).insert(ignore_permissions=True)
		member, product = make_member(verified=False), make_product(penalty_rule=rule.name)
		frappe.db.commit()
		start = time.perf_counter()
		loans, installments = make_portfolio(args.loans, days[0], member, product)
		setup = time.perf_counter() - start
		live = frappe.db.count("Loan", {"status": ("in", ("Active", "Default"))})
		floor_s, floor_loans = floor(days[-1])
		print(
			f"floor: one set-based statement, DPD of {floor_loans} loans over all installments: {floor_s:.2f} s"
		)

		workers = start_workers(2, env)
		time.sleep(4)  # the workers' start (imports, Redis registration) is not part of the runs
		results = {1: [], 2: []}
		for k, as_of in enumerate(days):
			jobs = 1 if k % 2 == 0 else 2
			run_s, figures = timed_run(as_of, chunk_size, jobs)
			events_s, events = drain_queues()
			rerun_s, again = timed_run(as_of, chunk_size, jobs)
			drain_queues()
			results[jobs].append((run_s, rerun_s))
			label = "one worker" if jobs == 1 else "two workers"
			print(
				f"{label}, run of {as_of} over {figures['loans_processed']} live loans in {figures['chunks']}"
				f" chunks: {run_s:.2f} s [{'met' if run_s <= 20 else 'NOT met'}: target ≤ 20 s;"
				f" {run_s / floor_s:.1f}× the floor] — {figures['loans_changed']} loans changed,"
				f" {figures['installments_penalised']} installments penalised"
				f" (Rp {int(figures['penalties_accrued']):_}), {figures['loans_defaulted']} defaulted;"
				f" rerun with nothing to change: {rerun_s:.2f} s [{'met' if rerun_s <= 5 else 'NOT met'}:"
				f" target ≤ 5 s; {rerun_s / floor_s:.1f}× the floor], {again['loans_changed']} loans changed;"
				f" after the run, its events' jobs ({events}) took the workers {events_s:.2f} s more".replace(
					"_", "."
				)
			)
		one = sum(r for r, _ in results[1]) / len(results[1])
		two = sum(r for r, _ in results[2]) / len(results[2])
		one_re = sum(r for _, r in results[1]) / len(results[1])
		two_re = sum(r for _, r in results[2]) / len(results[2])
		print(
			f"two workers vs one (mean of {len(results[2])} and {len(results[1])} days): run {two:.2f} s vs"
			f" {one:.2f} s ({one / two:.2f}× faster), rerun {two_re:.2f} s vs {one_re:.2f} s"
			f" ({one_re / two_re:.2f}× faster) [{'met' if two < one else 'NOT met'}: target faster]"
		)
		load = os.getloadavg()[0]
		print(
			f"(setup: {loans} loans, {installments} installments inserted in {setup:.1f} s, {live} live loans"
			f" in the site; chunks of {chunk_size}; load average {load:.1f} on {os.cpu_count()} cores at the end;"
			" not part of the figures)"
		)
	finally:
		stop_workers(workers)
		frappe.db.rollback()
		cleanup()
		claim()
		for run in made:
			frappe.db.delete("Servicing Run Chunk", {"servicing_run": run})
			frappe.db.delete("Servicing Run", run)
		frappe.db.commit()
		frappe.destroy()


if __name__ == "__main__":
	main()
