"""Observability: a request id on every request and on the jobs it enqueues, JSON log lines, Prometheus
metrics, health and readiness checks.

**Request id.** ``before_request`` takes the client's ``X-Request-ID`` when it is 8–128 characters of
``A–Z a–z 0–9 . _ : -`` (a UUID, a ULID, a load balancer's id) and otherwise makes one (32 hex digits);
``after_request`` returns it in the ``X-Request-ID`` response header. It is a correlation id chosen by the
caller, distinct from the server-made trace id of ``error_responses`` (the Error Log reference). Every RQ job
created while it is set (``frappe.enqueue``, ``enqueue_doc``, a document's ``queue_action``…) carries it in the
job's ``meta["request_id"]`` (RQ's job metadata, stored with the job in Redis); the worker's ``before_job``
hook puts it back on the job's context, so a job's log lines and the jobs it enqueues carry it too.

**JSON logs.** One logger, ``pinjaman_online.ops``, formatted by ``python-json-logger`` (standard ``logging``):
one line per request (method, path, endpoint, status, duration) and per job (started / finished, method,
queue, duration), each with ``request_id``, ``trace_id``, ``site``, ``user``, ``job_id`` when known. Lines go
to ``logs/pinjaman_online.json.log`` of the bench (``WatchedFileHandler``: safe for many processes, rotated
by logrotate) and, when the environment sets ``PINJAMAN_JSON_LOGS=stderr`` (the container images), to
standard error for the container runtime to collect.

**Metrics** (``/metrics`` or ``GET /api/method/pinjaman_online.observability.metrics``, Prometheus text
format by ``prometheus_client``). Request counts and latencies are kept in Redis (the RQ queue's, which is
persistent and which Frappe's cache clearing leaves alone; one pipelined round trip of hash increments per
request, per site) so that every gunicorn worker process, and every web host of a scaled-out deployment,
adds to the same counters (multi-process safe without prometheus_client's multiprocess mode); everything else is computed when scraped: RQ queue depth,
failed and started jobs and live workers per queue, the daily run's duration and
last successful date (Servicing Run), the reconciliation backlog (open Reconciliation Exceptions), login
failures (Activity Log hook), the newest backup's age. Allowed to a System Manager's session, or to a caller
presenting the site config's ``metrics_token`` in the ``X-Metrics-Token`` header;
Guest gets 401, any other user 403. nginx also refuses the path to anything but the loopback address.

**Health** (``/healthz``, ``…observability.health``) checks the database, the Redis cache, the Redis queue,
the scheduler's heartbeat (a scheduler job writes it every tick) and live RQ workers for each queue;
**readiness** (``/readyz``, ``…observability.readiness``) checks what a web process needs to serve (database,
Redis cache and queue). Both answer ``{"status": "ok"|"fail", "checks": {name: {"ok", "detail", "ms"}}}``
with 200 or 503, to anyone (no figures or secrets in them), for load balancers and Kubernetes probes.
"""

import hmac
import logging
import logging.handlers
import os
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import ClassVar

import frappe
import redis
from frappe import _
from rq.job import Job
from werkzeug.wrappers import Response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
LOGGER_NAME = "pinjaman_online.ops"
LOG_FILE = "pinjaman_online.json.log"

# Latency buckets in seconds (upper bounds; +Inf is added), Prometheus' defaults stretched to 30 s.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Redis hashes of the metrics, per site, in the queue's Redis (persistent; Frappe's clear_cache empties the
# cache's keys of a site, which would reset counters at every cache clear)
REQUESTS_KEY = "requests"  # endpoint|method|status -> count
BUCKETS_KEY = "latency_buckets"  # endpoint|status|bucket index -> count
SUM_KEY = "latency_sum"  # endpoint|status -> seconds
COUNTERS_KEY = "counters"  # login_failures -> count; scheduler_heartbeat -> epoch seconds
HEARTBEAT_MAX_AGE = 600  # seconds; site config scheduler_heartbeat_max_age overrides
QUEUES = ("short", "default", "long")
_METHOD_NAME = re.compile(r"^[A-Za-z0-9_.]{1,140}$")
_DOCTYPE_NAME = re.compile(r"^[A-Za-z0-9 _-]{1,61}$")
OBS_METHODS = (
	"pinjaman_online.observability.metrics",
	"pinjaman_online.observability.health",
	"pinjaman_online.observability.readiness",
)

# ------------------------------------------------------------------ JSON logs


class ContextFilter(logging.Filter):
	"""Adds the request/job context (``request_id``, ``trace_id``, ``site``, ``user``, ``component`` web or
	worker, ``job_id``) to every
	record that passes, from ``frappe.local`` when a site is initialised; fields a caller gave win."""

	def filter(self, record: logging.LogRecord) -> bool:
		local = frappe.local
		context = {
			"request_id": getattr(local, "request_id", None),
			"site": getattr(local, "site", None),
		}
		monitor = getattr(local, "monitor", None)
		context["trace_id"] = getattr(getattr(monitor, "data", None), "uuid", None)
		session = getattr(local, "session", None)
		context["user"] = getattr(session, "user", None) if session else None
		job = getattr(local, "job", None)
		if job:
			context["component"] = "worker"
			context["job_id"] = getattr(local, "rq_job_id", None)
		elif getattr(local, "request", None) is not None:
			context["component"] = "web"
		for key, value in context.items():
			if value is not None and not hasattr(record, key):
				setattr(record, key, value)
		return True


def json_formatter() -> logging.Formatter:
	"""The JSON formatter of every ops log line: ``{"timestamp": ISO-8601 UTC, "level", "logger", "message",
	…extra fields}`` (``python-json-logger``)."""
	from pythonjsonlogger.json import JsonFormatter

	return JsonFormatter(
		"%(levelname)s %(name)s %(message)s",
		rename_fields={"levelname": "level", "name": "logger"},
		timestamp=True,
	)


def get_logger() -> logging.Logger:
	"""The process's ``pinjaman_online.ops`` logger, configured once: JSON lines to the bench's
	``logs/pinjaman_online.json.log`` and, with ``PINJAMAN_JSON_LOGS=stderr``, to standard error."""
	logger = logging.getLogger(LOGGER_NAME)
	if getattr(logger, "_pinjaman_configured", False):
		return logger
	logger.setLevel(logging.INFO)
	logger.propagate = False
	formatter = json_formatter()
	handlers: list[logging.Handler] = []
	try:
		log_dir = os.path.join(frappe.utils.get_bench_path(), "logs")
		os.makedirs(log_dir, exist_ok=True)
		handlers.append(logging.handlers.WatchedFileHandler(os.path.join(log_dir, LOG_FILE)))
	except OSError:
		pass  # a read-only bench (container): standard error only
	if os.environ.get("PINJAMAN_JSON_LOGS") == "stderr" or not handlers:
		handlers.append(logging.StreamHandler(sys.stderr))
	for handler in handlers:
		handler.setFormatter(formatter)
		handler.addFilter(ContextFilter())
		logger.addHandler(handler)
	logger._pinjaman_configured = True
	return logger


def log_event(message: str, **fields):
	"""One JSON log line at INFO with the current request/job context and ``fields``; never raises."""
	try:
		get_logger().info(message, extra=fields)
	except Exception:  # noqa: BLE001, S110 (a log line never fails the request or job it describes)
		pass


# ------------------------------------------------------------------ request id


def valid_request_id(value: str | None) -> bool:
	"""True when a client's ``X-Request-ID`` may be kept: 8–128 characters of ``[A-Za-z0-9._:-]``."""
	return bool(value) and bool(_VALID_REQUEST_ID.match(value))


def new_request_id() -> str:
	"""A fresh request id: 32 lowercase hex digits (UUID4)."""
	return uuid.uuid4().hex


def before_request():
	"""Request hook: the request's id (the client's when valid, else a new one) and its start time."""
	frappe.local.request_started = time.perf_counter()
	given = frappe.get_request_header(REQUEST_ID_HEADER)
	frappe.local.request_id = given if valid_request_id(given) else new_request_id()


def after_request(response, request):
	"""Request hook: the ``X-Request-ID`` response header, the request's metrics and its JSON log line."""
	request_id = getattr(frappe.local, "request_id", None)
	started = getattr(frappe.local, "request_started", None)
	if request_id is None or started is None:
		return  # before_request did not run (the request failed while initialising)
	if response is not None:
		response.headers[REQUEST_ID_HEADER] = request_id
	status = response.status_code if response is not None else 500
	seconds = time.perf_counter() - started
	endpoint = endpoint_label(request.path, status)
	try:
		record_request(endpoint, request.method, status, seconds)
	except Exception:  # noqa: BLE001, S110 (metrics never fail a request; Redis down: readiness says so)
		pass
	log_event(
		"request",
		method=request.method,
		path=request.path,
		endpoint=endpoint,
		status=status,
		duration_ms=round(seconds * 1000, 2),
	)


def endpoint_label(path: str, status: int) -> str:
	"""The bounded ``endpoint`` label of a request path: ``/api/method/<method>``, ``/api/resource/<doctype>``
	(``/:name`` when a document is named), ``/api/v2/method/<method>``, ``/api/v2/document/<doctype>``, the
	first path segment otherwise (``/app``, ``/private/files``, ``/login``…); ``<unmatched>`` for a 404 so that
	unknown paths cannot grow the label set."""
	if status == 404:
		return "<unmatched>"
	parts = [p for p in path.split("/") if p]
	if not parts:
		return "/"
	if parts[0] != "api" or len(parts) < 3:
		if parts[0] in ("private", "api") and len(parts) > 1:
			return f"/{parts[0]}/{parts[1]}"[:80]
		return "/" + parts[0][:60]
	version = ""
	if parts[1] in ("v1", "v2"):
		version, parts = parts[1], [parts[0], *parts[2:]]
		if len(parts) < 3:
			return f"/api/{version}/{parts[1] if len(parts) > 1 else ''}".rstrip("/")
	prefix = f"/api/{version}/" if version else "/api/"
	kind, name = parts[1], parts[2]
	if kind == "method":
		return prefix + "method/" + (name if _METHOD_NAME.match(name) else "<invalid>")
	if kind in ("resource", "document"):
		doctype = name.replace("%20", " ")
		label = prefix + kind + "/" + (doctype if _DOCTYPE_NAME.match(doctype) else "<invalid>")
		return label + ("/:name" if len(parts) > 3 else "")
	return prefix + kind


def _store() -> redis.Redis:
	"""The Redis that keeps the metrics: the RQ queue's (Frappe's connection, shared by the process)."""
	from frappe.utils.background_jobs import get_redis_conn

	return get_redis_conn()


def _key(name: str) -> str:
	return f"pinjaman_metrics:{frappe.local.site}:{name}"


def record_request(endpoint: str, method: str, status: int, seconds: float):
	"""Adds one request to the site's request metrics in Redis (one pipeline round trip)."""
	index = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound), len(BUCKETS))
	pipe = _store().pipeline(transaction=False)
	pipe.hincrby(_key(REQUESTS_KEY), f"{endpoint}|{method}|{status}", 1)
	pipe.hincrby(_key(BUCKETS_KEY), f"{endpoint}|{status}|{index}", 1)
	pipe.hincrbyfloat(_key(SUM_KEY), f"{endpoint}|{status}", seconds)
	pipe.execute()


def count_login_failure(doc, method=None):
	"""doc_events ``Activity Log`` ``after_insert``: a failed login (Frappe's own log of it) adds one to
	``pinjaman_login_failures_total``."""
	if doc.operation == "Login" and doc.status == "Failed":
		try:
			_store().hincrby(_key(COUNTERS_KEY), "login_failures", 1)
		except Exception:  # noqa: BLE001, S110 (counting never fails the login answer)
			pass


# ------------------------------------------------------------------ jobs


def _create_with_request_id(cls, *args, **kwargs):
	request_id = getattr(frappe.local, "request_id", None)
	if request_id:
		meta = dict(kwargs.get("meta") or {})
		meta.setdefault("request_id", request_id)
		kwargs["meta"] = meta
	return _rq_job_create(cls, *args, **kwargs)


# Every RQ job created in this process carries the request id of the request (or job) creating it. RQ's
# Queue.create_job calls Job.create(…, meta=…); the original keeps doing the work.
if not getattr(Job.create, "_pinjaman_request_id", False):
	_rq_job_create = Job.create.__func__
	_create_with_request_id._pinjaman_request_id = True
	Job.create = classmethod(_create_with_request_id)


def before_job(method=None, kwargs=None, transaction_type=None):
	"""``before_job`` hook (worker): the job's request id back into the context (a new one for a job that no
	request enqueued), and a ``job started`` line."""
	from rq import get_current_job

	job = get_current_job()
	# a job no request enqueued (the scheduler's) starts its own id, which the jobs it enqueues carry
	frappe.local.request_id = ((job.meta or {}).get("request_id") if job else None) or new_request_id()
	frappe.local.rq_job_id = job.id if job else None
	frappe.local.job_started = time.perf_counter()
	log_event("job started", method=method, queue=job.origin if job else None)


def after_job(method=None, kwargs=None, result=None):
	"""``after_job`` hook (worker): a ``job finished`` line with the job's duration and outcome, ``ok`` or
	``failed`` (at ERROR, with the exception's type; the traceback is in the Error Log). Frappe runs the hook
	in ``execute_job``'s ``finally``, where a failing job's exception is still the one being handled."""
	started = getattr(frappe.local, "job_started", None)
	duration = round((time.perf_counter() - started) * 1000, 2) if started else None
	error = sys.exc_info()[0]
	fields = {"method": method, "duration_ms": duration, "outcome": "failed" if error else "ok"}
	if error:
		fields["error"] = error.__name__
	try:
		get_logger().log(logging.ERROR if error else logging.INFO, "job finished", extra=fields)
	except Exception:  # noqa: BLE001, S110 (a log line never fails the job it describes)
		pass


@frappe.whitelist(methods=["POST"])
def enqueue_probe() -> dict:
	"""System Manager: queue a no-op job on the short queue to check the request → queue → worker → log
	path end to end. Returns ``{"job_id", "request_id"}``; the worker logs ``probe job ran`` with the id."""
	frappe.only_for("System Manager")
	job = frappe.enqueue("pinjaman_online.observability.probe_job", queue="short", marker=new_request_id())
	return {"job_id": job.id if job else None, "request_id": frappe.local.request_id}


def probe_job(marker: str):
	"""The probe job: one log line."""
	log_event("probe job ran", marker=marker)


def record_scheduler_heartbeat():
	"""Scheduler ``all`` event: the scheduler's heartbeat (epoch seconds) in Redis."""
	_store().hset(_key(COUNTERS_KEY), "scheduler_heartbeat", time.time())


# ------------------------------------------------------------------ health


def _check(name: str, fn, checks: dict):
	started = time.perf_counter()
	try:
		ok, detail = fn()
	except Exception as e:  # noqa: BLE001 (any failure of a dependency is that check's answer)
		ok, detail = False, f"{type(e).__name__}: {str(e)[:120]}"
	checks[name] = {"ok": bool(ok), "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
	frappe.db.sql("select 1")
	return True, "answers"


def _redis_cache():
	return bool(frappe.cache.ping()), "answers"


def _redis_queue():
	from frappe.utils.background_jobs import get_redis_conn

	return bool(get_redis_conn().ping()), "answers"


def _scheduler():
	from frappe.utils.scheduler import is_scheduler_inactive

	if is_scheduler_inactive(verbose=False):
		return False, "disabled or paused for this site"
	beat = _hgetall(COUNTERS_KEY).get("scheduler_heartbeat")
	if not beat:
		return False, "no heartbeat yet"
	age = time.time() - float(beat)
	limit = int(frappe.conf.get("scheduler_heartbeat_max_age") or HEARTBEAT_MAX_AGE)
	return age <= limit, f"last tick {int(age)} s ago (limit {limit} s)"


def live_workers() -> dict[str, int]:
	"""Live RQ workers per queue type (short/default/long) of this bench: registered in Redis with a
	heartbeat within their TTL."""
	from frappe.utils.background_jobs import generate_qname, get_redis_conn
	from rq import Worker

	conn = get_redis_conn()
	names = {generate_qname(q): q for q in QUEUES}
	counts = dict.fromkeys(QUEUES, 0)
	now = datetime.now(timezone.utc).replace(tzinfo=None)
	for worker in Worker.all(connection=conn):
		beat = worker.last_heartbeat
		if beat is not None and (now - beat).total_seconds() > max(worker.worker_ttl, 60) + 60:
			continue
		for qname in worker.queue_names():
			if qname in names:
				counts[names[qname]] += 1
	return counts


def _workers():
	counts = live_workers()
	missing = [q for q, n in counts.items() if not n]
	detail = ", ".join(f"{q}: {n}" for q, n in counts.items())
	return not missing, detail + (f" (no worker for {', '.join(missing)})" if missing else "")


def run_checks(kind: str) -> dict:
	"""``kind`` ``readiness`` (database, Redis cache and queue) or ``health`` (those, the scheduler's heartbeat
	and live workers per queue). Returns ``{"status": "ok"|"fail", "checks": {...}}``."""
	checks: dict = {}
	_check("database", _database, checks)
	_check("redis_cache", _redis_cache, checks)
	_check("redis_queue", _redis_queue, checks)
	if kind == "health":
		_check("scheduler", _scheduler, checks)
		_check("workers", _workers, checks)
	return {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}


def _json_response(body: dict, status: int, mimetype: str = "application/json") -> Response:
	return Response(frappe.as_json(body, indent=None), status=status, mimetype=mimetype)


# The health-check response format's media type (IETF draft "Health Check Response Format for HTTP APIs"):
# a 503 of a failed check is an answer, not a server error to give an Error Log reference to.
HEALTH_JSON = "application/health+json"


@frappe.whitelist(allow_guest=True, methods=["GET", "HEAD"])
def health():
	"""Health: 200 when every check passes, else 503; the body names each check (no figures, no secrets)."""
	result = run_checks("health")
	return _json_response(result, 200 if result["status"] == "ok" else 503, HEALTH_JSON)


@frappe.whitelist(allow_guest=True, methods=["GET", "HEAD"])
def readiness():
	"""Readiness of a web process: database, Redis cache, Redis queue; 200 or 503."""
	result = run_checks("readiness")
	return _json_response(result, 200 if result["status"] == "ok" else 503, HEALTH_JSON)


# ------------------------------------------------------------------ metrics


def metrics_allowed() -> bool:
	"""A System Manager's session, or the site config's ``metrics_token`` presented as
	``X-Metrics-Token: <token>`` (compared in constant time). Not in ``Authorization``: Frappe treats any
	two-part Authorization header as a login attempt and refuses it before the endpoint runs."""
	token = frappe.conf.get("metrics_token")
	if token:
		presented = (frappe.get_request_header("X-Metrics-Token") or "").strip()
		if presented and hmac.compare_digest(presented.encode(), str(token).encode()):
			return True
	return frappe.session.user != "Guest" and "System Manager" in frappe.get_roles()


@frappe.whitelist(methods=["POST"])
def rotate_metrics_token() -> str:
	"""System Manager: a new ``metrics_token`` in the site config (48 URL-safe characters), returned once; the
	previous token stops working at once. Give it to the monitoring system as ``X-Metrics-Token: …``."""
	import secrets

	from frappe.installer import update_site_config

	frappe.only_for("System Manager")
	token = secrets.token_urlsafe(36)
	update_site_config("metrics_token", token)
	frappe.local.conf.metrics_token = token
	return token


@frappe.whitelist(allow_guest=True, methods=["GET"])
def metrics():
	"""Prometheus text exposition of the site's metrics (see the module's docstring). 401 for Guest without
	the token, 403 for a user who is not a System Manager."""
	if not metrics_allowed():
		if frappe.session.user == "Guest":
			raise frappe.AuthenticationError(_("Metrics need the metrics token or a System Manager's login."))
		raise frappe.PermissionError(_("Metrics are for System Managers and the monitoring system only."))
	from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

	registry = CollectorRegistry(auto_describe=False)
	registry.register(SiteCollector())
	return Response(generate_latest(registry), status=200, content_type=CONTENT_TYPE_LATEST)


def _hgetall(key: str) -> dict[str, str]:
	raw = _store().hgetall(_key(key)) or {}
	return {
		(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
		for k, v in raw.items()
	}


class SiteCollector:
	"""A ``prometheus_client`` collector reading the site's figures at scrape time."""

	def collect(self):
		yield from self._requests()
		yield from self._queues()
		yield from self._daily_run()
		yield from self._business()
		yield from self._backups()

	def _requests(self):
		from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily

		requests = CounterMetricFamily(
			"pinjaman_http_requests", "HTTP requests served, by endpoint, method and status",
			labels=["endpoint", "method", "status"],
		)  # fmt: skip
		for field, count in sorted(_hgetall(REQUESTS_KEY).items()):
			endpoint, method, status = field.rsplit("|", 2)
			requests.add_metric([endpoint, method, status], float(count))
		yield requests

		latency = HistogramMetricFamily(
			"pinjaman_http_request_duration_seconds",
			"Time from the app's first request hook to its last, by endpoint and status",
			labels=["endpoint", "status"],
		)
		per_series: dict[tuple, list[int]] = {}
		for field, count in _hgetall(BUCKETS_KEY).items():
			endpoint, status, index = field.rsplit("|", 2)
			per_series.setdefault((endpoint, status), [0] * (len(BUCKETS) + 1))[int(index)] += int(count)
		sums = _hgetall(SUM_KEY)
		for (endpoint, status), counts in sorted(per_series.items()):
			cumulative, running = [], 0
			for bound, count in zip((*[str(b) for b in BUCKETS], "+Inf"), counts, strict=True):
				running += count
				cumulative.append((bound, running))
			latency.add_metric(
				[endpoint, status], cumulative, sum_value=float(sums.get(f"{endpoint}|{status}", 0))
			)
		yield latency

	def _queues(self):
		from frappe.utils.background_jobs import generate_qname, get_redis_conn
		from prometheus_client.core import GaugeMetricFamily
		from rq import Queue

		depth = GaugeMetricFamily("pinjaman_rq_queue_jobs", "Jobs waiting in an RQ queue", labels=["queue"])
		failed = GaugeMetricFamily(
			"pinjaman_rq_failed_jobs", "Jobs in an RQ queue's failed registry", labels=["queue"]
		)
		started = GaugeMetricFamily("pinjaman_rq_started_jobs", "Jobs running from a queue", labels=["queue"])
		workers = GaugeMetricFamily(
			"pinjaman_rq_workers", "Live RQ workers listening on a queue", labels=["queue"]
		)
		conn = get_redis_conn()
		for qtype in QUEUES:
			queue = Queue(generate_qname(qtype), connection=conn)
			depth.add_metric([qtype], queue.count)
			failed.add_metric([qtype], queue.failed_job_registry.count)
			started.add_metric([qtype], queue.started_job_registry.count)
		for qtype, count in live_workers().items():
			workers.add_metric([qtype], count)
		yield from (depth, failed, started, workers)

	def _daily_run(self):
		from prometheus_client.core import GaugeMetricFamily

		last = frappe.get_all(
			"Servicing Run",
			filters={"status": "Completed"},
			fields=["run_date", "seconds", "finished_at"],
			order_by="run_date desc",
			limit=1,
		)
		duration = GaugeMetricFamily(
			"pinjaman_daily_run_duration_seconds", "Duration of the newest completed daily servicing run"
		)
		last_date = GaugeMetricFamily(
			"pinjaman_daily_run_last_success_date",
			"Date of the newest completed daily servicing run (Unix time of that date's midnight UTC)",
		)
		finished = GaugeMetricFamily(
			"pinjaman_daily_run_last_success_timestamp_seconds",
			"When the newest completed daily run finished",
		)
		if last:
			run = last[0]
			duration.add_metric([], float(run.seconds or 0))
			day = frappe.utils.getdate(run.run_date)
			last_date.add_metric([], datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
			if run.finished_at:
				finished.add_metric([], _epoch(run.finished_at))
		yield from (duration, last_date, finished)

	def _business(self):
		from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

		backlog = GaugeMetricFamily(
			"pinjaman_reconciliation_backlog", "Open Reconciliation Exceptions (deductions to decide by hand)"
		)
		backlog.add_metric([], frappe.db.count("Reconciliation Exception", {"status": "Open"}))
		yield backlog
		failures = CounterMetricFamily(
			"pinjaman_login_failures", "Failed logins recorded by Frappe (Activity Log) since the cache began"
		)
		failures.add_metric([], float(_hgetall(COUNTERS_KEY).get("login_failures", 0)))
		yield failures

	def _backups(self):
		from prometheus_client.core import GaugeMetricFamily

		from pinjaman_online import backups

		newest = GaugeMetricFamily(
			"pinjaman_backup_last_timestamp_seconds",
			"When the newest database backup of the site was written",
		)
		stamp = backups.newest_backup_time()
		if stamp:
			newest.add_metric([], stamp)
		yield newest


def _epoch(value) -> float:
	"""A naive datetime in the site's time zone as Unix time."""
	from zoneinfo import ZoneInfo

	from frappe.utils import get_datetime, get_system_timezone

	local = get_datetime(value).replace(tzinfo=ZoneInfo(get_system_timezone()))
	return local.timestamp()


# ------------------------------------------------------------------ paths


class ObservabilityPage:
	"""``page_renderer`` hook: ``/metrics``, ``/healthz`` and ``/readyz`` as plain paths (what Prometheus,
	load balancers and Kubernetes probes expect), answered by the functions above."""

	ROUTES: ClassVar[dict] = {"metrics": metrics, "healthz": health, "readyz": readiness}

	def __init__(self, path=None, http_status_code=None):
		self.path = (path or "").strip("/ ")

	def can_render(self) -> bool:
		return self.path in self.ROUTES

	def render(self):
		try:
			return self.ROUTES[self.path]()
		except frappe.AuthenticationError as e:
			return _json_response({"message": str(e)}, 401)
		except frappe.PermissionError as e:
			return _json_response({"message": str(e)}, 403)
