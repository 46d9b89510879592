"""Background jobs that a dead worker interrupted: run again when running them twice is harmless.

RQ moves a job whose worker died in the middle of it (a host killed, the kernel's OOM killer) to the failed job
registry as *abandoned* (``AbandonedJobError``) once the job's heartbeat has expired, and runs it again only if it
was queued with an RQ ``Retry``, which ``frappe.enqueue`` does not pass. A notification owed for a payment would
then never be sent.

Jobs whose effect is recorded once per fact can simply run again: every handler of ``borrower_event_handlers``
(each event's notifications are deduplicated by the event's key) and the jobs the hook ``rerun_safe_jobs`` names
(the event batch job, the daily run's chunk takers, which take only Queued chunks). :func:`rerun_abandoned_jobs`,
scheduled at every scheduler tick, finds this site's abandoned jobs in the failed registries of the bench's
queues and puts each rerun-safe one back on its queue, at most :data:`MAX_RERUNS` times; every abandoned job is
recorded in the Exception Log (source *Background Job*), so a job that must not run twice blindly (a billing
import's matching, which Finance resumes) is seen by a person.
"""

import frappe
from frappe.utils.background_jobs import get_queues, get_redis_conn
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

MAX_RERUNS = 3
ABANDONED = "AbandonedJobError"


def rerun_safe() -> set[str]:
	"""Dotted paths of the jobs that may run again after a dead worker: hook ``rerun_safe_jobs`` and every
	handler of hook ``borrower_event_handlers``."""
	safe = set(frappe.get_hooks("rerun_safe_jobs") or [])
	for handlers in (frappe.get_hooks("borrower_event_handlers", {}) or {}).values():
		safe.update(handlers)
	return safe


def _method_of(job: Job) -> str | None:
	"""The dotted path a Frappe job runs (``frappe.enqueue``'s ``method``), or None for another kind of job."""
	method = (job.kwargs or {}).get("method")
	if isinstance(method, str):
		return method
	if callable(method):
		return f"{method.__module__}.{method.__qualname__}"
	return None


def rerun_abandoned_jobs() -> dict:
	"""Put this site's abandoned, rerun-safe jobs back on their queues (module docstring).

	First lets RQ move the jobs whose worker died (expired heartbeat in a started registry) to the failed
	registry, then requeues each abandoned job of this site whose method is :func:`rerun_safe`, counting its
	reruns in the job's meta (``pinjaman_reruns``; at most :data:`MAX_RERUNS`), and records every abandoned job
	it sees for the first time in the Exception Log. Returns ``{"rerun": [job ids], "left": [job ids]}``.
	Scheduled (hooks ``scheduler_events`` → ``all``)."""
	from pinjaman_online.monitoring import record_exception

	safe, site = rerun_safe(), frappe.local.site
	conn = get_redis_conn()
	done = {"rerun": [], "left": []}
	for queue in get_queues(connection=conn):
		StartedJobRegistry(queue=queue).cleanup()
		failed = FailedJobRegistry(queue=queue)
		for job_id in failed.get_job_ids():
			job = Job.fetch(job_id, connection=conn) if Job.exists(job_id, connection=conn) else None
			if not job or (job.kwargs or {}).get("site") != site:
				continue
			if ABANDONED not in f"{job._exc_info or ''} {job.exc_info or ''}":
				continue
			method = _method_of(job)
			reruns = int(job.meta.get("pinjaman_reruns") or 0)
			if not job.meta.get("pinjaman_recorded"):
				record_exception(
					f"Background job abandoned: {method or job.func_name}",
					source="Background Job",
					severity="Medium" if method in safe else "High",
					message=f"Job {job.id} ({(job.kwargs or {}).get('job_name') or method}) on queue "
					f"{queue.name}: its worker died while running it. "
					+ ("It is run again." if method in safe else "It is not run again by itself."),
				)
				job.meta["pinjaman_recorded"] = 1
				job.save_meta()
			if method in safe and reruns < MAX_RERUNS:
				job.meta["pinjaman_reruns"] = reruns + 1
				job.save_meta()
				failed.requeue(job)
				done["rerun"].append(job.id)
			else:
				done["left"].append(job.id)
	return done
