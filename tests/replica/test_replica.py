"""The heavy reports read the read replica, give the primary's figures, and read the primary when the replica
lags or is down (``pinjaman_online.replica``), against a real MariaDB primary and replica (``harness``).

Run by ``tests/replica/run`` (and by a full ``bin/test``). The source database is ``REPLICA_SOURCE_SITE`` (the
run script's default: the bench's site ``SITE_NAME``, the demo site, else the test site), copied, never changed.
"""

import json
import os

import pytest
import requests
from harness import BENCH, ReplicaPair, ThrowawaySite

ADMIN_PASSWORD = os.environ.get("PINJAMAN_ADMIN_PASSWORD") or os.environ.get("ADMIN_PASSWORD") or "admin"
SOURCE_SITE = os.environ.get("REPLICA_SOURCE_SITE") or "pinjaman.localhost"

# report -> (filters, a table its own queries read, which the request's other queries never touch)
REPORTS = {
	"Aging Report": ({}, "`tabLoan`"),
	"Loan Quality": ({}, "`tabLoan`"),
	"Funder Margin": ({}, "`tabFunder Settlement`"),
	"Trial Balance": ({"from_date": "2020-01-01", "to_date": "2030-12-31"}, "`tabLedger Entry`"),
	"General Ledger": ({"from_date": "2020-01-01", "to_date": "2030-12-31"}, "`tabLedger Entry`"),
	"Balance Sheet": ({"as_of_date": "2030-12-31"}, "`tabLedger Entry`"),
	"Income Statement": ({"from_date": "2020-01-01", "to_date": "2030-12-31"}, "`tabLedger Entry`"),
	"Ledger vs Loans": ({}, "`tabLedger Entry`"),
}
BEHIND = ("the read replica is behind it", "replika baca tertinggal")
UNREACHABLE = ("read replica cannot be reached", "replika baca tidak dapat dihubungi")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
	"""The pair, the throwaway site (served), and Frappe connected to it in this process."""
	if not (BENCH / "sites" / SOURCE_SITE / "site_config.json").exists():
		pytest.fail(f"no source site {SOURCE_SITE}: set REPLICA_SOURCE_SITE")
	root = tmp_path_factory.mktemp("replica")
	pair = ReplicaPair(root)
	site = ThrowawaySite(pair, SOURCE_SITE, root)
	import frappe

	try:
		pair.start()
		site.load()
		site.configure()
		site.serve()
		os.chdir(BENCH / "sites")  # Frappe's logs and paths are relative to the sites folder
		frappe.init(site=site.name, sites_path=str(BENCH / "sites"))
		frappe.connect()
		frappe.set_user_lang("Administrator")
		http = requests.Session()
		http.headers["X-Frappe-Site-Name"] = site.name
		r = http.post(f"{site.url}/api/method/login", data={"usr": "Administrator", "pwd": ADMIN_PASSWORD})
		assert r.ok, r.text[:500]
		yield pair, site, http
	finally:
		try:
			if getattr(frappe.local, "site", None) == site.name:
				frappe.cache.delete_keys("")  # the throwaway site's keys in the bench's Redis cache
				frappe.destroy()
		finally:
			try:
				site.remove()
			finally:
				pair.stop()
				if os.environ.get("REPLICA_KEEP") != "1":
					import shutil

					shutil.rmtree(root, ignore_errors=True)


def run_over_http(site, http, report: str, filters: dict) -> dict:
	r = http.get(
		f"{site.url}/api/method/frappe.desk.query_report.run",
		params={"report_name": report, "filters": json.dumps(filters), "ignore_prepared_report": 1},
		timeout=120,
	)
	assert r.status_code == 200, f"{report}: {r.status_code} {r.text[:800]}"
	return r.json()["message"]


def on_primary(report: str, filters: dict) -> dict:
	"""The report computed in this process on the primary (``read_from_replica`` off here), as JSON."""
	import frappe
	from frappe.desk.query_report import run

	frappe.db.rollback()  # a fresh snapshot of the primary
	frappe.local.conf.read_from_replica = 0
	try:
		result = run(report, filters=json.dumps(filters), ignore_prepared_report=True)
	finally:
		frappe.local.conf.read_from_replica = 1
	return json.loads(frappe.as_json(result))


def figures(result: dict) -> tuple:
	return result["result"], result.get("report_summary"), result.get("chart")


def test_reports_read_the_replica_and_give_the_primarys_figures(env):
	pair, site, http = env
	for report, (filters, table) in REPORTS.items():
		p_mark, r_mark = pair.primary.log_mark(), pair.replica.log_mark()
		got = run_over_http(site, http, report, filters)
		on_replica_log, on_primary_log = pair.replica.log_since(r_mark), pair.primary.log_since(p_mark)
		assert table in on_replica_log, f"{report}: no query on {table} reached the replica"
		assert table not in on_primary_log, f"{report}: a query on {table} reached the primary"
		assert "master_gtid_wait" in on_replica_log
		assert not any(n in (got.get("message") or "") for n in BEHIND + UNREACHABLE), got.get("message")
		expected = on_primary(report, filters)
		assert figures(got) == figures(expected), f"{report}: replica and primary figures differ"
		rows = len(got["result"])
		print(f"{report}: {rows} rows read from the replica, equal to the primary's")


def test_the_funder_margin_endpoint_reads_the_replica(env):
	pair, site, http = env
	p_mark, r_mark = pair.primary.log_mark(), pair.replica.log_mark()
	r = http.get(f"{site.url}/api/method/pinjaman_online.api.funding.funder_margin", timeout=120)
	assert r.status_code == 200, r.text[:500]
	assert "`tabFunder Settlement`" in pair.replica.log_since(r_mark)
	assert "`tabFunder Settlement`" not in pair.primary.log_since(p_mark)
	assert r.json()["message"]["result"] == on_primary("Funder Margin", {})["result"]


def test_the_runner_path_reads_the_replica_too(env):
	"""Called directly (Frappe's runner, the console, accounting.report.figures), twice in one process."""
	import frappe
	from pinjaman_online.servicing.report.aging_report.aging_report import execute

	pair, _site, _http = env
	for _ in range(2):
		r_mark, p_mark = pair.replica.log_mark(), pair.primary.log_mark()
		frappe.db.rollback()
		result = execute({})
		assert "`tabLoan`" in pair.replica.log_since(r_mark)
		assert "`tabLoan`" not in pair.primary.log_since(p_mark)
		assert not any(n in (result[2] or "") for n in BEHIND + UNREACHABLE)
	assert frappe.local.db is not getattr(frappe.local, "replica_db", None)  # back on the primary


LAG_LOAN = "REPLICA-LAG-TEST"


def test_a_lagging_replica_is_not_read_and_the_report_says_so(env):
	pair, site, http = env
	report, (filters, table) = "Aging Report", REPORTS["Aging Report"]
	before = run_over_http(site, http, report, filters)
	pair.replica.sql("stop slave sql_thread")
	try:
		# a write the report shows (an active loan of Rp 1,000,000, current), on the primary only
		pair.primary.sql(
			f"insert into `{site.db_name}`.`tabLoan` (name, status, docstatus, outstanding_principal,"
			" days_past_due) values (%s, 'Active', 1, 1000000, 0)",
			(LAG_LOAN,),
		)
		r_mark = pair.replica.log_mark()
		lagging = run_over_http(site, http, report, filters)
		print(f"lagging replica: {lagging['message']}")
		assert any(n in lagging["message"] for n in BEHIND), lagging["message"]
		assert table not in pair.replica.log_since(r_mark), "the lagging replica was read"
		expected = on_primary(report, filters)
		assert figures(lagging) == figures(expected)
		assert figures(lagging) != figures(before), "the primary's new figures were not shown"
	finally:
		pair.replica.sql("start slave sql_thread")
	pair.caught_up()
	r_mark = pair.replica.log_mark()
	current = run_over_http(site, http, report, filters)
	assert table in pair.replica.log_since(r_mark)
	assert not any(n in (current.get("message") or "") for n in BEHIND + UNREACHABLE)
	assert figures(current) == figures(lagging)


def test_a_replica_that_is_down_is_not_read_and_nothing_fails(env):
	pair, site, http = env
	import frappe
	from pinjaman_online.servicing.report.loan_quality.loan_quality import execute

	report, (filters, table) = "Loan Quality", REPORTS["Loan Quality"]
	pair.replica.stop()
	try:
		down = run_over_http(site, http, report, filters)
		print(f"replica down: {down['message']}")
		assert any(n in down["message"] for n in UNREACHABLE), down["message"]
		assert figures(down) == figures(on_primary(report, filters))
		# Frappe's other read-only endpoints (list views) read the primary too
		r = http.get(
			f"{site.url}/api/method/frappe.desk.reportview.get",
			params={"doctype": "Loan", "fields": json.dumps(["name"]), "page_length": 5},
			timeout=60,
		)
		assert r.status_code == 200, r.text[:500]
		# and so does the runner path
		frappe.db.rollback()
		result = execute({})
		assert any(n in result[2] for n in UNREACHABLE), result[2]
	finally:
		pair.replica.start()
	pair.caught_up()
	import time

	time.sleep(1.5)  # replica_retry_after_seconds
	r_mark = pair.replica.log_mark()
	back = run_over_http(site, http, report, filters)
	assert table in pair.replica.log_since(r_mark)
	assert figures(back) == figures(down)


def test_a_replica_lost_while_reading_is_left_for_the_primary(env):
	"""The replica connection dies in the middle of a report (killed on the server): the report is read again
	from the primary and says so; the next report reads the replica again."""
	import frappe
	from pinjaman_online.replica import replica_reads

	pair, _site, _http = env
	calls, kill = [], [True]

	@replica_reads
	def report(filters=None):
		on_replica = frappe.local.db is getattr(frappe.local, "replica_db", None)
		calls.append("replica" if on_replica else "primary")
		if on_replica and kill:
			kill.clear()  # once: the connection of the first read
			pair.replica.sql(f"kill {frappe.db.sql('select connection_id()')[0][0]}")
		count = frappe.db.sql("select count(*) from `tabLoan`")[0][0]
		return [{"fieldname": "loans"}], [{"loans": count}], None

	frappe.db.rollback()
	_columns, data, message = report({})
	assert calls == ["replica", "primary"]
	assert any(n in message for n in UNREACHABLE), message
	assert data == [{"loans": frappe.db.count("Loan")}]
	calls.clear()
	frappe.db.rollback()
	again = report({})
	assert calls == ["replica"], calls
	assert again[2] is None, again[2]
