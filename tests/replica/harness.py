"""A MariaDB primary and read replica of their own, a throwaway site on them, and a web process serving it.

The machine's MariaDB (no binary log) is never reconfigured: ``ReplicaPair`` installs two fresh servers
(``mariadb-install-db``, ``mariadbd`` from Debian's mariadb-server) in a temporary folder, each with its own
datadir, port and socket on 127.0.0.1: the primary with a binary log (``log-bin``, ``server-id`` 1, row
format, GTID strict mode), the replica read-only (``server-id`` 2) replicating from it with GTID
(``CHANGE MASTER TO … MASTER_USE_GTID=slave_pos``, ``START SLAVE``). Both keep a general query log, so a
test sees which server answered a query.

``ThrowawaySite`` loads a copy of a site's database (``mariadb-dump --single-transaction`` of the source site,
with its own credentials) into the primary under a new database name and user (the replica receives it through
replication), writes ``sites/<name>/site_config.json`` pointing at the primary with the replica configured
(Frappe's ``read_from_replica``, ``replica_host``, ``replica_db_port``), and serves it with gunicorn on a free
port (requests name the site in ``X-Frappe-Site-Name``). Everything is removed afterwards: the site folder,
the servers, their datadirs.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pymysql
import requests

BENCH = Path(__file__).resolve().parents[2]
SITES = BENCH / "sites"


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = 60.0, interval: float = 0.2):
	"""Call ``check()`` until it returns a true value (returned) or raises nothing; fail after ``timeout``."""
	deadline = time.monotonic() + timeout
	last = None
	while time.monotonic() < deadline:
		try:
			value = check()
			if value:
				return value
		except (OSError, pymysql.err.MySQLError, requests.RequestException) as e:  # not up yet
			last = e
		time.sleep(interval)
	raise TimeoutError(f"{what} not ready after {timeout:g} s (last error: {last})")


class Server:
	"""One mariadbd with its own datadir, port and socket under ``root``."""

	def __init__(self, root: Path, name: str, server_id: int, primary: bool):
		self.dir = root / name
		self.datadir = self.dir / "data"
		self.socket = str(self.dir / "mariadbd.sock")
		self.port = free_port()
		self.general_log = self.dir / "general.log"
		self.server_id = server_id
		self.primary = primary
		self.process: subprocess.Popen | None = None

	def install(self):
		self.dir.mkdir(parents=True)
		args = ["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}"]
		args += ["--auth-root-authentication-method=normal", "--skip-test-db"]
		if os.geteuid() == 0:
			args.append("--user=root")
		with open(self.dir / "install.log", "w") as log:
			subprocess.run(args, check=True, stdout=log, stderr=subprocess.STDOUT, timeout=120)

	def command(self) -> list[str]:
		args = [
			"mariadbd",
			"--no-defaults",
			f"--datadir={self.datadir}",
			f"--port={self.port}",
			f"--socket={self.socket}",
			"--bind-address=127.0.0.1",
			f"--pid-file={self.dir / 'mariadbd.pid'}",
			f"--log-error={self.dir / 'error.log'}",
			f"--server-id={self.server_id}",
			"--skip-name-resolve",
			"--performance-schema=OFF",
			"--innodb-buffer-pool-size=64M",
			"--innodb-log-file-size=48M",
			"--innodb-flush-log-at-trx-commit=2",
			"--character-set-server=utf8mb4",
			"--collation-server=utf8mb4_unicode_ci",
			"--gtid-strict-mode=1",
			"--general-log=1",
			f"--general-log-file={self.general_log}",
		]
		if self.primary:
			args += [f"--log-bin={self.dir / 'binlog'}", "--binlog-format=ROW", "--sync-binlog=0"]
		else:
			args += ["--read-only=1", f"--relay-log={self.dir / 'relay'}"]
		if os.geteuid() == 0:
			args.append("--user=root")
		return args

	def start(self):
		with open(self.dir / "stderr.log", "a") as log:
			self.process = subprocess.Popen(
				self.command(), stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
			)
		wait_for(lambda: self.sql("select 1"), f"mariadbd {self.dir.name}")

	def stop(self):
		"""Shut the server down (SIGTERM, as a crash-free outage) and wait for it."""
		if self.process and self.process.poll() is None:
			self.process.send_signal(signal.SIGTERM)
			try:
				self.process.wait(timeout=60)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()
		self.process = None

	def root(self) -> pymysql.Connection:
		return pymysql.connect(unix_socket=self.socket, user="root", password="", autocommit=True)

	def sql(self, query: str, args=None) -> list[tuple]:
		conn = self.root()
		try:
			with conn.cursor() as cursor:
				cursor.execute(query, args)
				return list(cursor.fetchall())
		finally:
			conn.close()

	def log_mark(self) -> int:
		return self.general_log.stat().st_size if self.general_log.exists() else 0

	def log_since(self, mark: int) -> str:
		with open(self.general_log, "rb") as f:
			f.seek(mark)
			return f.read().decode("utf-8", "replace")


class ReplicaPair:
	"""A primary and a GTID replica of it, under ``root`` (a temporary folder)."""

	def __init__(self, root: Path):
		self.primary = Server(root, "primary", 1, primary=True)
		self.replica = Server(root, "replica", 2, primary=False)
		self.repl_password = secrets.token_hex(12)

	def start(self):
		for server in (self.primary, self.replica):
			server.install()
			server.start()
		self.primary.sql("create user 'repl'@'127.0.0.1' identified by %s", (self.repl_password,))
		self.primary.sql("grant replication slave on *.* to 'repl'@'127.0.0.1'")
		self.replica.sql(
			"change master to master_host='127.0.0.1', master_port=%s, master_user='repl', "
			"master_password=%s, master_use_gtid=slave_pos",
			(self.primary.port, self.repl_password),
		)
		self.replica.sql("start slave")

	def caught_up(self, timeout: float = 120) -> None:
		"""Wait until the replica has applied everything the primary has written."""
		position = self.primary.sql("select @@global.gtid_binlog_pos")[0][0]
		reached = self.replica.sql("select master_gtid_wait(%s, %s)", (position, timeout))[0][0]
		assert reached == 0, f"replica did not reach {position} in {timeout} s: {self.slave_status()}"

	def slave_status(self) -> dict:
		conn = self.replica.root()
		try:
			with conn.cursor(pymysql.cursors.DictCursor) as cursor:
				cursor.execute("show slave status")
				return cursor.fetchone() or {}
		finally:
			conn.close()

	def stop(self):
		for server in (self.replica, self.primary):
			server.stop()


class ThrowawaySite:
	"""A copy of ``source_site``'s database on ``pair``'s primary, configured with the replica, served."""

	def __init__(self, pair: ReplicaPair, source_site: str, workdir: Path, max_wait: float = 1):
		self.pair = pair
		self.source = source_site
		self.workdir = workdir
		token = secrets.token_hex(5)
		self.name = f"replica-{token}.localhost"
		self.db_name = f"_replica_{token}"
		self.db_password = secrets.token_hex(16)
		self.max_wait = max_wait
		self.web_port = free_port()
		self.web: subprocess.Popen | None = None
		self.url = f"http://127.0.0.1:{self.web_port}"

	@property
	def folder(self) -> Path:
		return SITES / self.name

	def source_config(self) -> dict:
		common = json.loads((SITES / "common_site_config.json").read_text())
		return common | json.loads((SITES / self.source / "site_config.json").read_text())

	def load(self):
		"""Create the database and its user on the primary and load the source site's dump into it."""
		src = self.source_config()
		primary = self.pair.primary
		primary.sql(f"create database `{self.db_name}` character set utf8mb4 collate utf8mb4_unicode_ci")
		for host in ("127.0.0.1", "localhost"):
			primary.sql(f"create user '{self.db_name}'@'{host}' identified by %s", (self.db_password,))
			primary.sql(f"grant all privileges on `{self.db_name}`.* to '{self.db_name}'@'{host}'")
		dump_err = open(self.workdir / "dump.err", "w")  # noqa: SIM115 (closed below, after the dump)
		dump = subprocess.Popen(
			[
				"mariadb-dump",
				"--single-transaction",
				"--quick",
				"--no-tablespaces",
				f"--host={src.get('db_host') or '127.0.0.1'}",
				f"--port={src.get('db_port') or 3306}",
				f"--user={src.get('db_user') or src['db_name']}",
				src["db_name"],
			],
			stdout=subprocess.PIPE,
			stderr=dump_err,
			env=os.environ | {"MYSQL_PWD": src["db_password"]},
		)
		load = subprocess.run(
			["mariadb", "--no-defaults", f"--socket={primary.socket}", "--user=root", self.db_name],
			stdin=dump.stdout,
			check=False,
			capture_output=True,
			text=True,
			timeout=600,
		)
		dump.stdout.close()
		dump_err.close()
		assert dump.wait(timeout=60) == 0, (self.workdir / "dump.err").read_text()
		assert load.returncode == 0, load.stderr
		self.pair.caught_up()

	def configure(self):
		"""Write the site folder: the source's config with this database, the primary and the replica."""
		site_conf = json.loads((SITES / self.source / "site_config.json").read_text())
		site_conf.pop("host_name", None)
		site_conf |= {
			"db_name": self.db_name,
			"db_user": self.db_name,
			"db_password": self.db_password,
			"db_host": "127.0.0.1",
			"db_port": self.pair.primary.port,
			"read_from_replica": 1,
			"replica_host": "127.0.0.1",
			"replica_db_port": self.pair.replica.port,
			"replica_max_wait_seconds": self.max_wait,
			"replica_connect_timeout": 2,
			"replica_retry_after_seconds": 1,
			"allow_tests": True,
		}
		for sub in ("logs", "locks", "private/files", "private/backups", "public/files"):
			(self.folder / sub).mkdir(parents=True, exist_ok=True)
		(self.folder / "site_config.json").write_text(json.dumps(site_conf, indent=1))

	def serve(self):
		log = open(self.workdir / "web.log", "a")  # noqa: SIM115 (the server's output, closed in remove)
		self.web = subprocess.Popen(
			[
				str(BENCH / "env" / "bin" / "gunicorn"),
				"--bind",
				f"127.0.0.1:{self.web_port}",
				"--workers",
				"1",
				"--threads",
				"2",
				"--timeout",
				"120",
				"frappe.app:application",
			],
			cwd=SITES,
			stdout=log,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
		wait_for(
			lambda: (
				requests.get(
					f"{self.url}/api/method/ping", headers={"X-Frappe-Site-Name": self.name}, timeout=5
				).ok
			),
			"gunicorn",
			timeout=90,
		)

	def remove(self):
		if self.web and self.web.poll() is None:
			self.web.terminate()
			try:
				self.web.wait(timeout=30)
			except subprocess.TimeoutExpired:
				self.web.kill()
				self.web.wait()
		if self.folder.exists() and self.folder.name.startswith("replica-"):
			shutil.rmtree(self.folder)
