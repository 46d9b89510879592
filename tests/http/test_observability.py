"""Observability over HTTP: the request id (echoed, generated, carried into an enqueued job's JSON log line),
/metrics (refused to Guest and to a Sales user, scraped by a System Manager and by the metrics token), and the
health and readiness checks."""

import json
import time
import uuid
from pathlib import Path

import pytest
import requests
from conftest import SITE, URL, new_session

LOG = Path(__file__).resolve().parents[2] / "logs" / "pinjaman_online.json.log"
METRICS_PATH = "/api/method/pinjaman_online.observability.metrics"
NAMED_METRICS = (
	"pinjaman_http_requests_total",
	"pinjaman_http_request_duration_seconds_bucket",
	"pinjaman_rq_queue_jobs",
	"pinjaman_rq_failed_jobs",
	"pinjaman_rq_workers",
	"pinjaman_daily_run_duration_seconds",
	"pinjaman_daily_run_last_success_date",
	"pinjaman_reconciliation_backlog",
	"pinjaman_login_failures_total",
)


def log_lines(request_id: str) -> list[dict]:
	if not LOG.exists():
		return []
	found = []
	with LOG.open() as f:
		for line in f:
			if request_id in line:
				found.append(json.loads(line))
	return found


def test_request_id_is_echoed_when_valid(guest):
	rid = "client-" + uuid.uuid4().hex
	r = guest.call("GET", "/api/method/ping", headers={"X-Request-ID": rid})
	assert r.headers["X-Request-ID"] == rid
	lines = [x for x in log_lines(rid) if x["message"] == "request"]
	assert lines, f"no JSON log line for {rid} in {LOG}"
	line = lines[-1]
	assert line["endpoint"] == "/api/method/ping" and line["status"] == 200 and line["site"] == SITE
	assert line["level"] == "INFO" and "timestamp" in line and line["duration_ms"] >= 0
	print(json.dumps(line))


@pytest.mark.parametrize("given", [None, "short", "x" * 129, "bad id with spaces", "semi;colon-1234"])
def test_request_id_is_generated_otherwise(guest, given):
	headers = {"X-Request-ID": given} if given is not None else {}
	r = guest.call("GET", "/api/method/ping", headers=headers)
	rid = r.headers["X-Request-ID"]
	assert rid != given and len(rid) == 32 and int(rid, 16) >= 0


def test_request_id_reaches_the_enqueued_job_log(admin):
	rid = "probe-" + uuid.uuid4().hex
	r = admin.call(
		"POST", "/api/method/pinjaman_online.observability.enqueue_probe", headers={"X-Request-ID": rid}
	)
	assert r.headers["X-Request-ID"] == rid and r.json()["message"]["request_id"] == rid
	deadline = time.monotonic() + 40
	while time.monotonic() < deadline:
		lines = log_lines(rid)
		if any(x["message"] == "job finished" for x in lines):
			break
		time.sleep(0.5)
	messages = [x["message"] for x in lines]
	assert "request" in messages, messages
	assert {"job started", "probe job ran", "job finished"} <= set(messages), messages
	assert [x["outcome"] for x in lines if x["message"] == "job finished"] == ["ok"], lines
	job_lines = [x for x in lines if x["message"] != "request"]
	assert all(x.get("component") == "worker" and x.get("job_id") for x in job_lines), job_lines
	assert all(x.get("component") == "web" for x in lines if x["message"] == "request"), lines
	for line in lines:
		print(json.dumps(line))


def test_metrics_refused_to_guest_and_to_sales(guest, staff):
	for path in (METRICS_PATH, "/metrics"):
		r = guest.call("GET", path, expect=None)
		assert r.status_code == 401, (path, r.status_code, r.text[:300])
		r = staff["sales"].call("GET", path, expect=None)
		assert r.status_code == 403, (path, r.status_code, r.text[:300])
	wrong = new_session()
	r = wrong.get(URL + METRICS_PATH, headers={"X-Metrics-Token": "not-the-token"}, timeout=30)
	assert r.status_code == 401


def ping_count(text: str) -> float:
	series = 'pinjaman_http_requests_total{endpoint="/api/method/ping",method="GET",status="200"} '
	return sum(float(ln.split()[-1]) for ln in text.splitlines() if ln.startswith(series))


def test_metrics_count_every_request_across_web_processes(admin, guest):
	"""Counts are shared by gunicorn's worker processes (kept in Redis): ten pings add ten."""
	before = ping_count(admin.call("GET", METRICS_PATH).text)
	for _ in range(10):
		guest.call("GET", "/api/method/ping")
	after = ping_count(admin.call("GET", METRICS_PATH).text)
	assert after - before == 10, (before, after)


def test_metrics_scraped_by_a_system_manager(admin, staff):
	admin.call("GET", "/api/method/ping")  # at least one request counted
	bad = new_session()  # one failed login of a throwaway user
	bad.post(URL + "/api/method/login", json={"usr": staff["sales"].user, "pwd": "wrong-" + uuid.uuid4().hex})
	for path in (METRICS_PATH, "/metrics"):
		r = admin.call("GET", path)
		assert r.headers["Content-Type"].startswith("text/plain")
		text = r.text
		missing = [m for m in NAMED_METRICS if m not in text]
		assert not missing, missing
	assert 'endpoint="/api/method/ping"' in text
	failures = [ln for ln in text.splitlines() if ln.startswith("pinjaman_login_failures_total ")]
	assert failures and float(failures[0].split()[1]) >= 1, failures
	samples = [ln for ln in text.splitlines() if not ln.startswith("#")]
	requests_ = [ln for ln in samples if ln.startswith("pinjaman_http_")]
	print("\n".join([*requests_[:12], f"... ({len(requests_)} request series)"]))
	print("\n".join(ln for ln in samples if not ln.startswith("pinjaman_http_")))


def test_metrics_token(admin, staff):
	"""The monitoring system's token (site config metrics_token, X-Metrics-Token) works without a login."""
	token = admin.method("pinjaman_online.observability.rotate_metrics_token")
	assert len(token) >= 32
	for path in ("/metrics", METRICS_PATH):
		r = requests.get(
			URL + path, headers={"X-Metrics-Token": token, "X-Frappe-Site-Name": SITE}, timeout=30
		)
		assert r.status_code == 200 and "pinjaman_rq_queue_jobs" in r.text, r.text[:300]
	staff["sales"].call("POST", "/api/method/pinjaman_online.observability.rotate_metrics_token", expect=403)


def test_health_and_readiness_answer_with_their_checks(guest):
	for path, names in (
		("/readyz", {"database", "redis_cache", "redis_queue"}),
		("/api/method/pinjaman_online.observability.readiness", {"database", "redis_cache", "redis_queue"}),
		("/healthz", {"database", "redis_cache", "redis_queue", "scheduler", "workers"}),
		("/api/method/pinjaman_online.observability.health", {"database", "redis_cache", "redis_queue", "scheduler", "workers"}),
	):  # fmt: skip
		r = guest.call("GET", path, expect=None)
		body = r.json()
		assert set(body["checks"]) == names, body
		assert r.status_code == (200 if body["status"] == "ok" else 503), (r.status_code, body)
		for name in ("database", "redis_cache", "redis_queue"):
			assert body["checks"][name]["ok"], body
		print(path, r.status_code, json.dumps(body))
	# the test run serves RQ workers for every queue (bin/test)
	assert body["checks"]["workers"]["ok"], body
