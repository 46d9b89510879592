"""A rerun-safe background job whose worker is killed in the middle of it runs again, once, on another worker
(``pinjaman_online.jobs``): RQ's own cleanup moves it to the failed registry as abandoned, the sweep puts it
back on its queue and records it in the Exception Log.

Uses the killed-worker tests' Redis database of their own for RQ (``billing/tests/test_killed_worker.py``): the
worker and the ``execute`` that enqueues are subprocesses on it, and the sweep in this process reads it.
"""

import json
import time
from unittest.mock import patch

import frappe
import redis
from frappe.tests.utils import FrappeTestCase
from rq.registry import StartedJobRegistry

from pinjaman_online import jobs
from pinjaman_online.billing.reconciliation import JOB_METHOD
from pinjaman_online.billing.tests.test_killed_worker import (
	exclusive_queue,
	frappe_cli,
	kill_worker,
	redis_queue_url,
)

JOB = "pinjaman_online.tests.factories.sleepy_job"


def wait_for(predicate, seconds: float, what: str):
	deadline = time.monotonic() + seconds
	while time.monotonic() < deadline:
		if predicate():
			return
		time.sleep(0.1)
	raise AssertionError(f"timed out waiting for {what}")


class TestRerunAbandonedJobs(FrappeTestCase):
	def test_a_rerun_safe_job_killed_with_its_worker_runs_again_once(self):
		self.enterContext(exclusive_queue())
		conn = redis.Redis.from_url(redis_queue_url())
		key = f"pinjaman-online:abandoned-test:{frappe.generate_hash(length=8)}"
		cache = redis.Redis.from_url(frappe.conf.redis_cache)
		count = lambda suffix: int(cache.get(f"{key}:{suffix}") or 0)

		worker = frappe_cli("worker", "--queue", "short", wait=False)
		try:
			out = frappe_cli(
				"execute", "pinjaman_online.tests.factories.enqueue_sleepy_job", "--args", json.dumps([key])
			).stdout
			job_id = out.strip().splitlines()[-1].strip('"')
			wait_for(lambda: count("started") == 1, 90, "the job to start")
		finally:
			kill_worker(worker)

		# The job's heartbeat expires (about 90 s after a worker's death): RQ's cleanup then finds it abandoned.
		queue = next(q for q in jobs.get_queues(connection=conn) if q.name.endswith(":short"))
		started = StartedJobRegistry(queue=queue)
		self.assertIn(job_id.encode(), conn.zrange(started.key, 0, -1))
		conn.zadd(started.key, {job_id: 1})
		cache.set(f"{key}:fast", 1, ex=600)

		with (
			patch.object(jobs, "get_redis_conn", return_value=conn),
			patch.object(jobs, "rerun_safe", return_value={JOB}),
		):
			first = jobs.rerun_abandoned_jobs()
			self.assertIn(job_id, first["rerun"])
			self.assertNotIn(job_id, jobs.rerun_abandoned_jobs()["rerun"])

		self.assertTrue(
			frappe.db.exists("Exception Log", {"source": "Background Job", "title": ("like", f"%{JOB}")})
		)
		again = frappe_cli("worker", "--queue", "short", wait=False)
		try:
			wait_for(lambda: count("done") == 1, 90, "the job to run again")
		finally:
			kill_worker(again)
		self.assertEqual((count("started"), count("done")), (2, 1))

	def test_the_rerun_safe_jobs_are_the_event_handlers_and_the_listed_jobs(self):
		self.assertIn("pinjaman_online.servicing.daily.drain", jobs.rerun_safe())
		self.assertIn("pinjaman_online.borrower.notifications.on_payment_received", jobs.rerun_safe())
		self.assertNotIn(JOB_METHOD, jobs.rerun_safe())  # Finance resumes an import; it is not rerun blindly
