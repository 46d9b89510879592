"""A real RQ worker killed in the middle of a reconciliation, then the job rerun (issue §6 faults).

The test starts ``frappe worker --queue long`` as a subprocess of its own, queues the import's matching on it,
kills the worker and its work horse (``kill -9``, as when a machine dies) while the job is between batches,
starts another worker and queues the import again. Then every line must be posted
exactly once: no payment twice, none lost.

Other workers on this machine listen to the same bench queues; so that only this test's workers see its
job, the subprocesses (the workers and the ``execute`` that enqueues) use a Redis database of their own for RQ
(``FRAPPE_REDIS_QUEUE``, which Frappe reads before ``redis_queue`` in the site config): database 15, which
neither the bench (0, 1) nor the served workers of a ``bin/test`` run (2 to 14, chosen by its port) use, and
which one run of this test at a time holds (another test site's run waits). The data they work on is
committed by the test (a worker is another connection).
"""

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import frappe
import redis
from frappe.tests.utils import FrappeTestCase
from frappe.utils import get_bench_path

from pinjaman_online.billing.reconciliation import is_running
from pinjaman_online.tests.factories import (
	free_period,
	make_billable_loans_fast,
	make_export,
	make_import,
	realisation_csv,
)

LINES = 800
BATCH = 8  # small batches: the job lasts long enough to be killed between two commits
REDIS_DB = int(os.environ.get("BILLING_FAULT_REDIS_DB", "15"))
CLAIM_KEY = "pinjaman-online:killed-worker-test"


def redis_queue_url() -> str:
	base = frappe.conf.redis_queue or "redis://127.0.0.1:6379"
	host = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
	return f"{host}/{REDIS_DB}"


@contextmanager
def exclusive_queue(timeout: int = 300):
	"""Hold this test's RQ database (``redis_queue_url``) for the length of one run: the workers of two runs
	(two test sites) on one database would take each other's jobs. Waits up to ``timeout`` seconds."""
	conn = redis.Redis.from_url(redis_queue_url())
	token = f"{frappe.local.site}:{os.getpid()}"
	deadline = time.monotonic() + timeout
	while not conn.set(CLAIM_KEY, token, nx=True, ex=600):
		if time.monotonic() > deadline:
			raise AssertionError(f"{redis_queue_url()} is held by another run: {conn.get(CLAIM_KEY)}")
		time.sleep(1)
	try:
		yield
	finally:
		if conn.get(CLAIM_KEY) == token.encode():
			conn.delete(CLAIM_KEY)


def frappe_cli(*args: str, wait: bool = True):
	env = {**os.environ, "FRAPPE_REDIS_QUEUE": redis_queue_url()}
	env.pop("CI", None)
	cmd = [os.path.join(get_bench_path(), "env", "bin", "python"), "-m", "frappe.utils.bench_helper", "frappe",
		"--site", frappe.local.site, *args]  # fmt: skip
	cwd = os.path.join(get_bench_path(), "sites")
	if wait:
		return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True, timeout=120)
	return subprocess.Popen(
		cmd, cwd=cwd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
	)


def descendants(pid: int) -> list[int]:
	"""The processes below ``pid`` (Linux /proc): RQ's work horse runs the job in a child of the worker, in a
	session of its own, so killing the worker's process group alone would leave the job running."""
	children = {}
	for stat in Path("/proc").glob("[0-9]*/stat"):
		try:
			fields = stat.read_text().rsplit(")", 1)[1].split()
		except OSError:
			continue
		children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
	found, todo = [], [pid]
	while todo:
		for child in children.get(todo.pop(), []):
			found.append(child)
			todo.append(child)
	return found


def kill_worker(proc: subprocess.Popen):
	"""``kill -9`` the worker and everything it started (its work horse, mid-job), as a dying machine would."""
	for pid in [*descendants(proc.pid), proc.pid]:
		try:
			os.kill(pid, signal.SIGKILL)
		except ProcessLookupError:
			pass
	proc.wait(timeout=30)


def import_state(name: str) -> frappe._dict:
	frappe.db.rollback()  # a fresh snapshot of what the workers committed
	return frappe.db.get_value(
		"Pension Cut Import", name, ["status", "processed_lines", "runs"], as_dict=True
	)


class TestKilledWorker(FrappeTestCase):
	def test_a_killed_worker_then_a_rerun_posts_every_line_exactly_once(self):
		self.enterContext(exclusive_queue())
		period = free_period()
		loans = make_billable_loans_fast(period, LINES)
		export = make_export(period)
		content = realisation_csv(export.name)
		with patch("pinjaman_online.billing.doctype.pension_cut_import.pension_cut_import.enqueue_matching"):
			imp = make_import(period, content)  # submitted, its matching not run: this test queues it
		frappe.db.commit()
		self.assertEqual(import_state(imp.name).status, "Queued")

		first = frappe_cli("worker", "--queue", "long", wait=False)
		try:
			frappe_cli("execute", "pinjaman_online.billing.reconciliation.enqueue_matching", "--args",
				frappe.as_json([imp.name]), "--kwargs", frappe.as_json({"batch_size": BATCH}))  # fmt: skip
			deadline = time.monotonic() + 90
			seen = []
			while time.monotonic() < deadline:
				state = import_state(imp.name)
				seen.append((round(time.monotonic(), 3), state.status, state.processed_lines))
				if state.processed_lines and state.processed_lines >= 3 * BATCH:
					break
				time.sleep(0.01)
			else:
				self.fail(f"the worker never got going: {import_state(imp.name)}")
		finally:
			kill_worker(first)
		deadline = time.monotonic() + 30
		while is_running(imp.name) and time.monotonic() < deadline:  # the server notices the dead connection
			time.sleep(0.1)
			frappe.db.rollback()
		killed_at = import_state(imp.name)
		self.assertEqual(
			killed_at.status, "Matching", f"the worker was killed mid-job: {seen[:3]} … {seen[-3:]}"
		)
		self.assertLess(killed_at.processed_lines, LINES)
		written = frappe.db.count("Pension Cut Import Line", {"cut_import": imp.name})
		print(
			f"\nworker killed at {written} of {LINES} lines (batches of {BATCH}); a new worker reruns the job"
		)
		self.assertEqual(written, killed_at.processed_lines, "only whole batches were committed")
		self.assertEqual(frappe.db.count("Loan Payment", {"reference_no": imp.name, "docstatus": 1}), written)

		second = frappe_cli("worker", "--queue", "long", wait=False)
		try:
			frappe_cli("execute", "pinjaman_online.billing.reconciliation.enqueue_matching", "--args",
				frappe.as_json([imp.name]), "--kwargs", frappe.as_json({"batch_size": BATCH}))  # fmt: skip
			deadline = time.monotonic() + 120
			while import_state(imp.name).status != "Reconciled" and time.monotonic() < deadline:
				time.sleep(0.2)
		finally:
			kill_worker(second)
		done = import_state(imp.name)
		self.assertEqual(done.status, "Reconciled")
		self.assertGreaterEqual(done.runs, 2)

		payments = frappe.get_all(
			"Loan Payment", {"reference_no": imp.name, "docstatus": 1}, ["loan", "source_key", "amount"]
		)
		self.assertEqual(len(payments), LINES, "no payment lost")
		self.assertEqual(len({p.source_key for p in payments}), LINES, "no payment twice")
		self.assertEqual(sorted(p.loan for p in payments), sorted(loans))
		self.assertEqual({Decimal(str(p.amount)) for p in payments}, {Decimal(1_180_000)})
		outstanding = frappe.db.sql(
			f"""SELECT SUM(outstanding_principal + outstanding_interest) FROM `tabLoan`
			WHERE name IN ({", ".join(["%s"] * len(loans))})""",
			loans,
		)[0][0]
		self.assertEqual(Decimal(outstanding), LINES * Decimal(11 * 1_180_000))
		self.assertEqual(frappe.db.count("Pension Cut Import Line", {"cut_import": imp.name}), LINES)
