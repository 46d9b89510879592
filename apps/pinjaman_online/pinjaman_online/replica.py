"""The heavy reports read from a MariaDB read replica when the site has one, through Frappe's own mechanism.

**Configuration** (site config; Frappe's keys): ``read_from_replica: 1``, ``replica_host``, ``replica_db_port``;
with ``different_credentials_for_replica: 1`` also ``replica_db_user`` (or ``replica_db_name``) and
``replica_db_password``, else the site's own database user. Frappe then makes every ``@frappe.read_only()``
endpoint read the replica: ``frappe.desk.query_report.run`` (every query report), the list and report views
(``frappe.desk.reportview``), the desk's sidebar counts and notifications. This module's keys, all optional:

- ``replica_max_wait_seconds`` (default 2): how long a heavy report waits for the replica to apply every
  transaction the primary had written when the report started;
- ``replica_connect_timeout`` (default 2 seconds): the reachability probe's connect timeout;
- ``replica_retry_after_seconds`` (default 10): after a failed probe, a web process reads the primary for this
  long without trying the replica again.

**Heavy reports** (Aging, Loan Quality, Funder Margin, Trial Balance, General Ledger, Balance Sheet, Income
Statement, Ledger vs Loans) wrap ``execute`` in :func:`replica_reads`. Called through ``query_report.run``
they already run on the replica (Frappe switched ``frappe.db``); called from anywhere else (the runner,
``accounting.report.figures``, a console) :func:`replica_reads` switches with ``frappe.read_only()``.

**Consistency (lag).** Before reading, the report takes the primary's binary log position
(``@@gtid_binlog_pos``) and asks the replica to reach it (``MASTER_GTID_WAIT``, MariaDB's GTID wait, no
privilege needed) within ``replica_max_wait_seconds``, then starts a fresh snapshot on the replica: the
figures are those the primary would give at the report's start, never older. A replica that does not catch up
in time (stopped SQL thread, long lag) is not read: the report reads the primary and its message says so
("the read replica is behind…"). Reading the primary is always correct, only heavier.

**Outage.** ``before_request`` probes the replica (connect, ``SELECT 1``, with ``replica_connect_timeout``)
for requests to Frappe's read-only endpoints (``frappe.desk.*``) and to the app's report endpoints; when it
does not answer, that request reads the primary (``read_from_replica`` off for this request only) and the
process does not try the replica again for ``replica_retry_after_seconds``. A heavy report that cannot reach
the replica, or loses it while reading, reads the primary and says so. The user never gets a 5xx for a
replica that is down.

MariaDB only (GTID functions); with another database type the reports read the primary.
"""

import functools
import time

import frappe
import pymysql
from frappe import _

# Request paths whose methods Frappe runs under @frappe.read_only(), or that run a heavy report.
READ_ONLY_METHOD_PREFIXES = ("frappe.desk.", "pinjaman_online.api.funding.funder_margin")
# Client errors meaning the server cannot be reached or the connection was lost (CR_* codes).
CONNECTION_ERRORS = (2002, 2003, 2005, 2006, 2013, 2055)

_down_until: dict[str, float] = {}  # site -> monotonic time before which this process reads the primary


def configured() -> bool:
	"""True when the site config asks for a read replica (Frappe's ``read_from_replica`` and ``replica_host``)."""
	conf = frappe.local.conf
	return bool(conf.read_from_replica and conf.replica_host and (conf.db_type or "mariadb") == "mariadb")


def _setting(key: str, default: float) -> float:
	value = frappe.local.conf.get(key)
	return float(value) if value not in (None, "") else default


def _credentials() -> tuple[str, str]:
	"""(user, password) for the replica, as ``frappe.connect_replica`` chooses them."""
	conf = frappe.local.conf
	if conf.different_credentials_for_replica:
		return conf.replica_db_user or conf.replica_db_name, conf.replica_db_password
	return conf.db_user or conf.db_name, conf.db_password


def probe() -> str | None:
	"""Try the replica once: None when it answers ``SELECT 1``, else the reason (text, for the log).

	Uses the replica's own connection settings with ``replica_connect_timeout``; never raises.
	"""
	conf = frappe.local.conf
	user, password = _credentials()
	try:
		conn = pymysql.connect(
			host=conf.replica_host,
			port=int(conf.replica_db_port or 3306),
			user=user,
			password=password,
			database=conf.db_name,
			connect_timeout=_setting("replica_connect_timeout", 2),
			read_timeout=_setting("replica_connect_timeout", 2),
		)
		try:
			with conn.cursor() as cursor:
				cursor.execute("select 1")
		finally:
			conn.close()
	except (pymysql.err.MySQLError, OSError) as e:
		return f"{type(e).__name__}: {e}"
	return None


def _method_of_request() -> str:
	path = frappe.request.path if getattr(frappe.local, "request", None) else ""
	for prefix in ("/api/method/", "/api/v1/method/", "/api/v2/method/"):
		if path.startswith(prefix):
			return path[len(prefix) :]
	return frappe.local.form_dict.get("cmd") or ""


def before_request():
	"""``before_request`` hook: a request that would read the replica reads the primary when it is down.

	Only requests to read-only or report methods (``READ_ONLY_METHOD_PREFIXES``) pay for the probe. On failure
	``read_from_replica`` is turned off in this request's copy of the site config (``frappe.local.conf``),
	so Frappe's ``read_only`` leaves ``frappe.db`` on the primary; ``frappe.flags.replica_unavailable`` keeps
	the reason for the heavy reports' message.
	"""
	if not configured() or not _method_of_request().startswith(READ_ONLY_METHOD_PREFIXES):
		return
	site = frappe.local.site
	reason = None
	if _down_until.get(site, 0) > time.monotonic():
		reason = "replica unreachable (recently probed)"
	else:
		reason = probe()
		if reason:
			_down_until[site] = time.monotonic() + _setting("replica_retry_after_seconds", 10)
			frappe.logger("replica").warning(f"read replica unreachable, reading the primary: {reason}")
		else:
			_down_until.pop(site, None)
	if reason:
		frappe.local.conf = frappe._dict(frappe.local.conf, read_from_replica=0)
		frappe.flags.replica_unavailable = reason


def _lag_verdict(primary, replica) -> tuple[str, str] | None:
	"""None when ``replica`` has applied everything ``primary`` had written (within the wait), else
	(kind, detail) with kind "behind" or "unreachable". Leaves the replica at a fresh snapshot."""
	wait = _setting("replica_max_wait_seconds", 2)
	position = primary.sql("select @@global.gtid_binlog_pos")[0][0] or ""
	try:
		reached = replica.sql("select master_gtid_wait(%s, %s)", (position, wait))[0][0] if position else 0
		replica.rollback()  # the report's reads start a snapshot taken after the wait
	except pymysql.err.MySQLError as e:
		if _is_connection_error(e):
			return "unreachable", f"{type(e).__name__}: {e}"
		raise
	if reached != 0:
		return "behind", f"not at {position} after {wait:g} s"
	return None


def _is_connection_error(e: Exception) -> bool:
	return isinstance(e, pymysql.err.InterfaceError) or (
		isinstance(e, pymysql.err.OperationalError) and bool(e.args) and e.args[0] in CONNECTION_ERRORS
	)


def _note(kind: str) -> str:
	if kind == "behind":
		return _("Read from the primary database: the read replica is behind it by more than {0} s.").format(
			f"{_setting('replica_max_wait_seconds', 2):g}"
		)
	return _("Read from the primary database: the read replica cannot be reached.")


def _with_note(result, kind: str | None):
	"""The report's result with the fallback note in its message (third element), kept when there is one."""
	if not kind or not isinstance(result, (tuple, list)):
		return result
	result = list(result)
	while len(result) < 3:
		result.append(None)
	note = _note(kind)
	result[2] = f"{result[2]} · {note}" if result[2] else note
	return tuple(result)


def _forget_replica_connection(replica):
	"""Drop a replica connection that was lost, so Frappe's ``read_only`` can close it without an error."""
	try:
		replica.close()
	except pymysql.err.MySQLError:
		replica._conn = None
		replica._cursor = None


def _routed(fn, filters):
	"""Run ``fn(filters)`` on the replica when it is current, else on the primary; (result, fallback kind)."""
	local = frappe.local
	primary = getattr(local, "primary_db", None)
	replica = getattr(local, "replica_db", None)
	if primary is None or replica is None:  # Frappe did not open a replica connection
		return fn(filters), "unreachable"
	entry = local.db
	verdict = _lag_verdict(primary, replica)
	if verdict:
		kind, detail = verdict
		frappe.logger("replica").warning(f"{fn.__module__}: reading the primary, replica {kind}: {detail}")
		local.db = primary
		try:
			return fn(filters), kind
		finally:
			local.db = entry
	local.db = replica
	try:
		return fn(filters), None
	except pymysql.err.MySQLError as e:
		if not _is_connection_error(e):
			raise
		frappe.logger("replica").warning(
			f"{fn.__module__}: replica lost while reading, reading the primary: {e}"
		)
		_forget_replica_connection(replica)
		local.db = primary
		return fn(filters), "unreachable"
	finally:
		local.db = entry


def replica_reads(fn):
	"""Decorator for a heavy Script Report's ``execute(filters)``: read the replica when one is configured.

	Returns what ``fn`` returns; when the report read the primary although a replica is configured (replica
	behind by more than ``replica_max_wait_seconds``, or unreachable) the message (third element) carries a
	note saying so. Without a configured replica it calls ``fn`` alone (adding the note when this request found
	the replica down, see :func:`before_request`). Errors: those of ``fn``.
	"""

	@functools.wraps(fn)
	def execute(filters=None):
		if not configured():
			result = fn(filters)
			return _with_note(result, "unreachable" if frappe.flags.replica_unavailable else None)

		@frappe.read_only()
		def on_replica(filters=None):
			local = frappe.local
			left_over = getattr(local, "replica_db", None) is not None and local.db is not local.replica_db
			if not left_over:
				return _routed(fn, filters)
			# Frappe keeps the closed replica connection of an earlier read_only in this process and then
			# does not switch again: use it (it reconnects) and close it afterwards, as read_only would.
			local.primary_db = local.db
			try:
				return _routed(fn, filters)
			finally:
				_forget_replica_connection(local.replica_db)

		result, kind = on_replica(filters)
		return _with_note(result, kind)

	return execute
