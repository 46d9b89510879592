"""Scale-out rehearsal on one machine: a database host, two web hosts, a worker host (Linux network
namespaces, ``plan.py``) and nginx on the machine balancing the web hosts; a bounded mixed load during which
one web host and then the worker host are killed (``kill -9`` of every process of the host) and restarted;
then the books are checked. Run as root through ``tests/scaleout/run`` (``--help`` for the options).

Phases:
1. topology: bridge and namespaces; MariaDB (own datadir) and Redis in the db namespace;
2. site: a copy of the demo site's database (``mariadb-dump`` of ``SOURCE_SITE`` streamed into the db host's
   MariaDB) in the rehearsal's own sites folder, migrated; then ``prepare_site.py`` (users with API keys,
   billable loans, an export and its realisation file, loans for the staff payments);
3. throughput: the same mix of requests through nginx with web1 only, then with web1 and web2;
4. faults: the mix again with the billing import uploaded; web1 is killed and restarted, then, once the
   import's matching job has committed a batch, the worker host is killed and restarted and the import resumed
   (``resume_import``, what Finance's *Resume Matching* does); probe jobs are queued throughout;
5. checks: every request answered 2xx in the end (failed attempts only connection refused/reset, 502/503/504
   or 409 *in progress*), each payment posted once with one balanced journal, the loans' balances moved by
   exactly the payments acknowledged, the import's every line written and posted once, its interrupted
   matching job finished once after the resume, no job run twice, each probe job run once; the other jobs
   the dead worker host had started are listed (RQ reruns none of them: at most once); ``report.json`` and
   a summary;
6. teardown (always): processes of the namespaces killed, namespaces and bridge deleted, nginx stopped.

Clients retry a retryable failure with the same ``Idempotency-Key`` (payments) after a short pause; one in
ten payments is sent a second time after its answer (a duplicate delivery), which must replay the answer.
"""

import argparse
import collections
import fcntl
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plan as planmod

RETRYABLE_STATUS = {502: "http_502", 503: "http_503", 504: "http_504"}
PAY_AMOUNT = 50_000
SOURCE_SITE = os.environ.get("SCALEOUT_SOURCE_SITE", "pinjaman.localhost")


def log(msg: str):
	print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(*cmd, check=True, **kw) -> subprocess.CompletedProcess:
	return subprocess.run([str(c) for c in cmd], check=check, text=True, capture_output=True, **kw)


# ----------------------------------------------------------------------------------------------- topology


class Topology:
	"""Builds the namespaces and runs each host's processes; ``kill_host`` is a host dying, ``teardown``
	removes everything (also what a crashed earlier run left)."""

	def __init__(self, plan: planmod.Plan, logs: Path):
		self.plan, self.logs = plan, logs
		self.procs: dict[str, list[subprocess.Popen]] = collections.defaultdict(list)
		self.nginx: subprocess.Popen | None = None
		self.starts = collections.Counter()

	def build(self):
		p = self.plan
		self.teardown(quiet=True)
		sh("ip", "link", "add", p.bridge, "type", "bridge")
		sh("ip", "addr", "add", f"{p.gateway}/{p.subnet.split('/')[1]}", "dev", p.bridge)
		sh("ip", "link", "set", p.bridge, "up")
		for h in p.hosts.values():
			sh("ip", "netns", "add", h.netns)
			sh("ip", "link", "add", h.veth_outside, "type", "veth", "peer", "name", h.veth_inside)
			sh("ip", "link", "set", h.veth_inside, "netns", h.netns)
			sh("ip", "link", "set", h.veth_outside, "master", p.bridge, "up")
			sh("ip", "netns", "exec", h.netns, "ip", "addr", "add", f"{h.address}/{p.subnet.split('/')[1]}",
				"dev", h.veth_inside)  # fmt: skip
			sh("ip", "netns", "exec", h.netns, "ip", "link", "set", h.veth_inside, "up")
			sh("ip", "netns", "exec", h.netns, "ip", "link", "set", "lo", "up")

	def spawn(self, role: str, name: str, cmd: list[str], cwd: Path, env: dict | None = None):
		host = self.plan.hosts[role]
		self.starts[f"{role}:{name}"] += 1
		with open(self.logs / f"{role}-{name}-{self.starts[f'{role}:{name}']}.log", "wb") as out:
			proc = subprocess.Popen(
				["ip", "netns", "exec", host.netns, *cmd],
				cwd=cwd,
				env={**os.environ, **(env or {})},
				stdout=out,
				stderr=subprocess.STDOUT,
				start_new_session=True,
			)
		self.procs[role].append(proc)
		return proc

	def pids(self, role: str) -> list[int]:
		out = sh("ip", "netns", "pids", self.plan.hosts[role].netns, check=False).stdout
		return [int(x) for x in out.split()]

	def kill_host(self, role: str) -> int:
		"""``kill -9`` every process of the host (the machine dies); returns how many."""
		pids = self.pids(role)
		for pid in pids:
			try:
				os.kill(pid, signal.SIGKILL)
			except ProcessLookupError:
				pass
		for proc in self.procs.pop(role, []):
			try:
				proc.wait(timeout=20)
			except subprocess.TimeoutExpired:
				pass
		return len(pids)

	def stop_stale_nginx(self):
		"""The nginx of an earlier run that was itself killed: by its pid file, when that pid still runs an
		nginx with this rehearsal's config."""
		pid_file = self.plan.work / "nginx" / "nginx.pid"
		try:
			pid = int(pid_file.read_text().strip())
			cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
		except (OSError, ValueError):
			return
		if "nginx" in cmdline and str(self.plan.work / "nginx") in cmdline:
			os.kill(pid, signal.SIGTERM)
			time.sleep(1)

	def teardown(self, quiet=False):
		p = self.plan
		if self.nginx and self.nginx.poll() is None:
			self.nginx.terminate()  # nginx's fast shutdown: the master stops its workers
			try:
				self.nginx.wait(timeout=10)
			except subprocess.TimeoutExpired:
				self.nginx.kill()
		self.stop_stale_nginx()
		existing = sh("ip", "netns", "list", check=False).stdout.split("\n")
		for line in existing:
			ns = line.split(" ")[0]
			if ns.startswith(f"{planmod.PREFIX}-"):
				for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
					try:
						os.kill(int(pid), signal.SIGKILL)
					except ProcessLookupError:
						pass
		for procs in self.procs.values():
			for proc in procs:
				try:
					proc.wait(timeout=10)
				except subprocess.TimeoutExpired:
					pass
		self.procs.clear()
		for line in existing:
			ns = line.split(" ")[0]
			if ns.startswith(f"{planmod.PREFIX}-"):
				sh("ip", "netns", "del", ns, check=False)
		for h in p.hosts.values():
			sh("ip", "link", "del", h.veth_outside, check=False)
		sh("ip", "link", "del", p.bridge, check=False)
		if not quiet:
			log("teardown: namespaces, bridge and processes removed")


# ----------------------------------------------------------------------------------------------- the db host


def mariadb_client() -> str:
	return shutil.which("mariadb") or shutil.which("mysql")


class Database:
	"""The db host's MariaDB (own datadir and socket; root over the socket from the machine) and Redis."""

	def __init__(self, plan: planmod.Plan, topo: Topology):
		self.plan, self.topo = plan, topo
		self.dir = plan.work / "mariadb"
		self.socket = self.dir / "mysqld.sock"

	def start(self):
		p, db = self.plan, self.plan.hosts["db"]
		if self.dir.exists():
			shutil.rmtree(self.dir)
		self.dir.mkdir(parents=True)
		cnf = self.dir / "my.cnf"
		cnf.write_text(
			"\n".join(
				[
					"[mysqld]",
					f"datadir={self.dir}/data",
					f"socket={self.socket}",
					f"pid-file={self.dir}/mysqld.pid",
					f"log-error={self.dir}/error.log",
					f"port={p.mariadb_port}",
					f"bind-address={db.address}",
					"user=root",
					"skip-name-resolve",
					"innodb_buffer_pool_size=512M",
					"max_connections=500",
					# config/mariadb.cnf: what Frappe needs
					"character-set-client-handshake=FALSE",
					"character-set-server=utf8mb4",
					"collation-server=utf8mb4_unicode_ci",
					"",
				]
			)
		)
		sh("mariadb-install-db", f"--defaults-file={cnf}", "--auth-root-authentication-method=socket",
			"--skip-test-db", timeout=120)  # fmt: skip
		self.topo.spawn("db", "mariadb", ["mariadbd", f"--defaults-file={cnf}"], cwd=self.dir)
		redis_dir = p.work / "redis"
		redis_dir.mkdir(exist_ok=True)
		self.topo.spawn(
			"db", "redis",
			["redis-server", "--bind", db.address, "--port", str(p.redis_port), "--save", "", "--appendonly", "no",
				"--protected-mode", "no", "--dir", str(redis_dir)],
			cwd=redis_dir,
		)  # fmt: skip
		wait_for(lambda: self.sql("SELECT 1", check=False) == "1", 60, "MariaDB on the db host")
		wait_for(lambda: tcp_open(db.address, p.redis_port), 30, "Redis on the db host")

	def sql(self, query: str, database: str | None = None, check=True) -> str:
		cmd = [mariadb_client(), f"--socket={self.socket}", "-uroot", "-N", "-B", "-e", query]
		if database:
			cmd.append(database)
		res = subprocess.run(cmd, text=True, capture_output=True, check=False)
		if check and res.returncode:
			raise RuntimeError(f"SQL failed: {query[:200]}: {res.stderr}")
		return res.stdout.strip("\n")  # keep a row's trailing tab (an empty last column)

	def rows(self, query: str, database: str) -> list[list[str]]:
		out = self.sql(query, database)
		return [line.split("\t") for line in out.splitlines()] if out else []


def wait_for(check, seconds: float, what: str, interval=0.3):
	deadline, last = time.monotonic() + seconds, None
	while time.monotonic() < deadline:
		try:
			if check():
				return
		except Exception as e:  # noqa: BLE001 - not up yet (refused, reset, not ready): ask again
			last = e
		time.sleep(interval)
	raise RuntimeError(f"timed out waiting for {what} ({last!r})")


def tcp_open(host: str, port: int) -> bool:
	import socket

	with socket.socket() as s:
		s.settimeout(1)
		return s.connect_ex((host, port)) == 0


# ----------------------------------------------------------------------------------------------- the site


def copy_site(plan: planmod.Plan, db: Database) -> dict:
	"""The rehearsal's sites folder with a copy of SOURCE_SITE's database on the db host; returns its config."""
	bench = plan.bench
	src_conf = json.loads((bench / "sites" / SOURCE_SITE / "site_config.json").read_text())
	sites = plan.sites
	if sites.exists():
		shutil.rmtree(sites)
	(sites / plan.site / "private" / "files").mkdir(parents=True)
	(sites / plan.site / "public" / "files").mkdir(parents=True)
	(sites / plan.site / "logs").mkdir()
	shutil.copy(bench / "sites" / "apps.txt", sites / "apps.txt")
	(sites / "assets").symlink_to(bench / "sites" / "assets")
	(sites / "common_site_config.json").write_text(json.dumps(plan.common_site_config(), indent=1))
	db_name = "_so_" + secrets.token_hex(6)
	password = secrets.token_hex(16)
	db.sql(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	db.sql(f"CREATE USER '{db_name}'@'%' IDENTIFIED BY '{password}'")
	db.sql(f"GRANT ALL PRIVILEGES ON `{db_name}`.* TO '{db_name}'@'%'")
	started = time.monotonic()
	dump = subprocess.Popen(
		["mariadb-dump", "--single-transaction", "--quick", "--skip-lock-tables", "-h", src_conf.get("db_host",
			"127.0.0.1"), "-P", str(src_conf.get("db_port", 3306)), "-u", src_conf.get("db_user",
			src_conf["db_name"]), src_conf["db_name"]],
		env={**os.environ, "MYSQL_PWD": src_conf["db_password"]},
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
	)  # fmt: skip
	load = subprocess.run(
		[mariadb_client(), f"--socket={db.socket}", "-uroot", db_name],
		stdin=dump.stdout,
		capture_output=True,
		check=False,
	)
	dump.stdout.close()
	dump_err = dump.stderr.read().decode()
	if dump.wait() or load.returncode:
		raise RuntimeError(f"copying {SOURCE_SITE} failed: {dump_err} {load.stderr.decode()}")
	copied = time.monotonic() - started
	conf = {
		"db_name": db_name,
		"db_password": password,
		"db_type": "mariadb",
		"encryption_key": src_conf["encryption_key"],
		"host_name": f"http://{plan.site}",
	}
	(sites / plan.site / "site_config.json").write_text(json.dumps(conf, indent=1))
	log(f"site: {SOURCE_SITE}'s database copied to the db host in {copied:.1f} s; migrating")
	started = time.monotonic()
	res = frappe_cli(plan, "--site", plan.site, "migrate", timeout=600)
	if res.returncode:
		raise RuntimeError(f"migrate failed: {res.stdout[-3000:]}{res.stderr[-3000:]}")
	return {"db_name": db_name, "copy_s": round(copied, 1), "migrate_s": round(time.monotonic() - started, 1)}


def frappe_cli(plan: planmod.Plan, *args, timeout=300) -> subprocess.CompletedProcess:
	return subprocess.run(
		[plan.python(), "-m", "frappe.utils.bench_helper", "frappe", *args],
		cwd=plan.sites,
		text=True,
		capture_output=True,
		timeout=timeout,
		check=False,
	)


# ----------------------------------------------------------------------------------------------- processes


def start_web(plan: planmod.Plan, topo: Topology, role: str):
	topo.spawn(role, "gunicorn", plan.web_command(plan.hosts[role]), cwd=plan.sites)


def web_ready(plan: planmod.Plan, role: str) -> bool:
	import requests

	h = plan.hosts[role]
	r = requests.get(
		f"http://{h.address}:{plan.gunicorn_port}/api/method/ping",
		headers={"X-Frappe-Site-Name": plan.site},
		timeout=5,
	)
	return r.status_code == 200


def start_worker_host(plan: planmod.Plan, topo: Topology):
	for name, cmd in plan.worker_commands().items():
		topo.spawn("worker", name, cmd, cwd=plan.sites, env={"PINJAMAN_JSON_LOGS": "stderr"})


def start_nginx(plan: planmod.Plan, topo: Topology):
	nginx = shutil.which("nginx") or "/usr/sbin/nginx"
	prefix = plan.work / "nginx"
	for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
		(prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
	conf_path = next(
		(x.split("=", 1)[1] for x in sh(nginx, "-V").stderr.split() if x.startswith("--conf-path=")),
		"/etc/nginx/nginx.conf",
	)
	mime = str(Path(conf_path).parent / "mime.types")
	user = f"user {Path(plan.bench / 'sites').owner()};"
	text = planmod.render_nginx(plan, (plan.bench / "config" / "nginx.conf.template").read_text(), mime, user)
	(prefix / "nginx.conf").write_text(text)
	sh(nginx, "-t", "-q", "-e", "stderr", "-p", prefix, "-c", prefix / "nginx.conf")
	host, port = plan.listen.rsplit(":", 1)
	if tcp_open(host, int(port)):
		raise RuntimeError(f"{plan.listen} is taken by another process: choose another with --listen")
	with open(topo.logs / "nginx.log", "wb") as out:
		topo.nginx = subprocess.Popen(
			[nginx, "-e", "stderr", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
			stdout=out,
			stderr=subprocess.STDOUT,
			start_new_session=True,
		)
	wait_for(lambda: tcp_open(host, int(port)), 20, "nginx")
	time.sleep(0.5)
	if topo.nginx.poll() is not None:
		raise RuntimeError(f"nginx stopped: {(topo.logs / 'nginx.log').read_text()[-1000:]}")


# ----------------------------------------------------------------------------------------------- the client


class Stats:
	"""Attempts by kind, and the requests' final outcomes, shared by the client threads. Every instance is
	kept in ``Stats.all``: the payment checks cover every phase's payments."""

	all: ClassVar[list["Stats"]] = []

	def __init__(self):
		Stats.all.append(self)
		self.lock = threading.Lock()
		self.attempts = collections.Counter()
		self.final = collections.Counter()
		self.unclean = []
		self.by_kind = collections.Counter()
		self.payments = {}  # reference → {"name", "loan", "amount", "attempts"}
		self.replays = collections.Counter()
		self.retried = collections.Counter()  # "request kind: failed attempt's kind" → count

	def add_attempt(self, outcome: str, kind: str):
		with self.lock:
			self.attempts[outcome] += 1
			if outcome != "ok":
				self.retried[f"{kind}: {outcome}"] += 1


class Client:
	"""HTTP through nginx with an API token; ``call`` retries retryable failures for up to ``patience``
	seconds with the same headers (so the same ``Idempotency-Key``)."""

	def __init__(self, base: str, token: list[str], stats: Stats, patience: float = 90):
		self.base, self.stats, self.patience = base, stats, patience
		self.auth = f"token {token[0]}:{token[1]}"
		self.local = threading.local()

	def session(self):
		import requests

		if not hasattr(self.local, "s"):
			self.local.s = requests.Session()
			self.local.s.headers["Authorization"] = self.auth
		return self.local.s

	def call(self, method: str, path: str, kind: str, **kw):
		import requests

		deadline = time.monotonic() + self.patience
		pause = 0.2
		while True:
			try:
				r = self.session().request(method, self.base + path, timeout=60, **kw)
			except requests.ConnectionError as e:
				text = repr(e)
				if "Connection refused" in text:
					outcome = "connection_refused"
				elif "reset" in text or "RemoteDisconnected" in text or "aborted" in text.lower():
					outcome = "connection_reset"
				else:
					outcome = "connection_error"
				r = None
			except requests.Timeout:
				outcome, r = "timeout", None
			else:
				if r.status_code in RETRYABLE_STATUS:
					outcome = RETRYABLE_STATUS[r.status_code]
				elif r.status_code == 409 and "IN_PROGRESS" in r.text:
					outcome = "http_409_in_progress"
				else:
					outcome = "ok" if r.status_code < 400 else f"http_{r.status_code}"
			self.stats.add_attempt(outcome, kind)
			if (
				r is not None
				and outcome not in RETRYABLE_STATUS.values()
				and outcome != "http_409_in_progress"
			):
				with self.stats.lock:
					self.stats.final["ok" if r.ok else "failed"] += 1
					self.stats.by_kind[kind] += 1
					if not r.ok:
						self.stats.unclean.append(
							{"kind": kind, "status": r.status_code, "body": r.text[:300]}
						)
				return r
			if time.monotonic() > deadline:
				with self.stats.lock:
					self.stats.final["gave_up"] += 1
					self.stats.unclean.append({"kind": kind, "gave_up_after": outcome})
				return None
			self.session().close()
			time.sleep(pause)
			pause = min(pause * 1.5, 2)


class Load:
	"""A fixed number of requests from ``threads`` threads: reads (REST lists, a loan's outstanding, the
	Aging and Loan Quality reports) and staff payments with an Idempotency-Key."""

	def __init__(self, client: Client, stats: Stats, loans: list[str], run_id: str, pay_share: float):
		self.client, self.stats, self.loans, self.run_id = client, stats, loans, run_id
		self.pay_share = pay_share
		self.seq = 0
		self.lock = threading.Lock()
		self.done = 0

	def next_ref(self) -> str:
		with self.lock:
			self.seq += 1
			return f"SO-{self.run_id}-{self.seq:05d}"

	def one(self, rng: random.Random):
		c = self.client
		if rng.random() < self.pay_share:
			ref = self.next_ref()
			loan = rng.choice(self.loans)
			data = {"loan": loan, "amount": str(PAY_AMOUNT), "reference_no": ref}
			headers = {"Idempotency-Key": ref}
			r = c.call(
				"POST", "/api/method/pinjaman_online.api.servicing.pay", "pay", data=data, headers=headers
			)
			if r is not None and r.ok:
				name = r.json()["message"]["name"]
				with self.stats.lock:
					self.stats.payments[ref] = {"name": name, "loan": loan}
				if rng.random() < 0.1:  # the same delivery again: must answer the same payment
					again = c.call("POST", "/api/method/pinjaman_online.api.servicing.pay", "pay_again", data=data,
						headers=headers)  # fmt: skip
					same = again is not None and again.ok and again.json()["message"]["name"] == name
					with self.stats.lock:
						self.stats.replays["same" if same else "different"] += 1
			return
		pick = rng.random()
		if pick < 0.3:
			c.call("GET", "/api/resource/Loan", "list_loans", params={
				"fields": json.dumps(["name", "status", "outstanding_principal"]), "limit_page_length": 50,
				"order_by": "modified desc"})  # fmt: skip
		elif pick < 0.55:
			c.call("GET", "/api/resource/Loan Payment", "list_payments", params={
				"fields": json.dumps(["name", "loan", "amount", "posting_date"]), "limit_page_length": 50})  # fmt: skip
		elif pick < 0.75:
			c.call("GET", "/api/method/pinjaman_online.api.servicing.outstanding", "outstanding",
				params={"loan": rng.choice(self.loans)})  # fmt: skip
		else:
			report = "Aging Report" if pick < 0.9 else "Loan Quality"
			c.call("GET", "/api/method/frappe.desk.query_report.run", "report",
				params={"report_name": report, "filters": "{}"})  # fmt: skip

	def run(self, requests_total: int, threads: int, max_seconds: float, seed: int) -> dict:
		started = time.monotonic()
		todo = iter(range(requests_total))
		take = threading.Lock()

		def worker(i):
			rng = random.Random(seed * 100 + i)
			while time.monotonic() - started < max_seconds:
				with take:
					if next(todo, None) is None:
						return
				self.one(rng)
				with self.lock:
					self.done += 1

		pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
		for t in pool:
			t.start()
		for t in pool:
			t.join()
		elapsed = time.monotonic() - started
		return {"requests": self.done, "seconds": round(elapsed, 2), "rps": round(self.done / elapsed, 1)}


# ----------------------------------------------------------------------------------------------- the run


def measure(plan, client_token, stats_label, loans, run_id, args, seed) -> tuple[dict, Stats]:
	stats = Stats()
	client = Client(f"http://{plan.listen}", client_token, stats)
	warm_stats = Stats()
	warm = Load(Client(f"http://{plan.listen}", client_token, warm_stats), warm_stats, loans,
		f"{run_id}-w{seed}", args.pay_share)  # fmt: skip
	warm.run(args.threads * 4, args.threads, 60, seed + 50)
	load = Load(client, stats, loans, f"{run_id}-t{seed}", args.pay_share)
	result = load.run(args.requests, args.threads, args.max_seconds, seed)
	log(f"{stats_label}: {result['requests']} requests in {result['seconds']} s = {result['rps']} req/s")
	return result, stats


def fault_phase(plan, topo, prep, run_id, args) -> dict:
	"""The mix with faults: web1 killed and restarted, the import uploaded, the worker host killed once its
	matching job committed a batch, restarted, the import resumed; probe jobs queued every second."""
	stats = Stats()
	base = f"http://{plan.listen}"
	client = Client(base, prep["finance"], stats)
	ops = Client(base, prep["admin"], Stats())  # the operator's own calls (probes, resume), counted apart
	finance_ops = Client(base, prep["finance"], ops.stats)
	load = Load(client, stats, prep["pay_loans"], f"{run_id}-f", args.pay_share)
	events, probes = [], []
	state = {"import": None, "stop": False}

	def event(what, **kw):
		events.append({"t": round(time.monotonic() - t0, 2), "event": what, "requests_done": load.done, **kw})
		log(f"  t={events[-1]['t']:6.2f}s  {what} {kw if kw else ''}")

	def import_state():
		r = finance_ops.call("GET", "/api/method/pinjaman_online.api.billing.get_import", "get_import",
			params={"name": state["import"], "limit": 0})  # fmt: skip
		return r.json()["message"] if r is not None and r.ok else {}

	def prober():
		while not state["stop"]:
			r = ops.call("POST", "/api/method/pinjaman_online.observability.enqueue_probe", "probe")
			if r is not None and r.ok:
				probes.append({"job_id": r.json()["message"]["job_id"], "t": round(time.monotonic() - t0, 2)})
			time.sleep(2)

	def faults():
		# web1 dies at a tenth of the requests and comes back three seconds later
		while load.done < args.fault_requests // 10:
			time.sleep(0.05)
		event("kill -9 web1", processes=topo.kill_host("web1"))
		time.sleep(3)
		start_web(plan, topo, "web1")
		event("web1 restarted")
		wait_for(lambda: web_ready(plan, "web1"), 90, "web1 after its restart")
		event("web1 answers again")
		# the billing import: uploaded through nginx, matched on the worker host
		csv = Path(prep["csv"]).read_bytes()
		r = finance_ops.call("POST", "/api/method/pinjaman_online.api.billing.import_realisation", "import",
			data={"period": prep["period"], "pension_fund": "Taspen"},
			files={"file": (f"realisation-{prep['period']}.csv", csv, "text/csv")})  # fmt: skip
		state["import"] = r.json()["message"]["name"]
		event("billing import uploaded", name=state["import"], lines=r.json()["message"].get("total_lines"))
		deadline = time.monotonic() + 180
		while time.monotonic() < deadline:
			s = import_state()
			if s.get("status") == "Reconciled":
				event(
					"import reconciled before the worker host could be killed",
					processed=s.get("processed_lines"),
				)
				return
			if s.get("status") == "Matching" and (s.get("processed_lines") or 0) > 0:
				break
			time.sleep(0.1)
		else:
			event("the import's matching never started", status=s.get("status"))
			return
		event(
			"kill -9 worker host",
			processes=topo.kill_host("worker"),
			processed_lines=s.get("processed_lines"),
		)
		time.sleep(3)
		start_worker_host(plan, topo)
		event("worker host restarted")
		# Finance resumes the import (its matching job died with the worker); refused while a run holds it
		while time.monotonic() < deadline:
			r = finance_ops.call("POST", "/api/method/pinjaman_online.api.billing.resume_import", "resume",
				data={"name": state["import"]})  # fmt: skip
			if r is not None and r.ok:
				event("import resumed", job_id=r.json()["message"]["job_id"])
				break
			time.sleep(1)

	t0 = time.monotonic()
	fault_thread = threading.Thread(target=faults, daemon=True)
	probe_thread = threading.Thread(target=prober, daemon=True)
	fault_thread.start()
	probe_thread.start()
	result = load.run(args.fault_requests, args.threads, args.max_seconds, 7)
	event("load finished", **result)
	fault_thread.join(timeout=240)
	# the import finishes on the restarted worker host
	deadline = time.monotonic() + 240
	final = {}
	while state["import"] and time.monotonic() < deadline:
		final = import_state()
		if final.get("status") in ("Reconciled", "Failed"):
			break
		time.sleep(0.5)
	state["stop"] = True
	probe_thread.join(timeout=30)
	ids = {p["job_id"].split("::")[-1] for p in probes if p["job_id"]}
	deadline = time.monotonic() + 90  # the probes queued last (or during the outage) drain
	while time.monotonic() < deadline and not ids <= set(finished_probes(topo.logs)):
		time.sleep(0.5)
	event("import finished", status=final.get("status"), processed=final.get("processed_lines"))
	return {
		"load": result,
		"stats": stats,
		"ops_stats": ops.stats,
		"events": events,
		"probes": probes,
		"import": state["import"],
		"fault_schedule_done": not fault_thread.is_alive(),
	}


# ----------------------------------------------------------------------------------------------- checks


def finished_probes(logs: Path) -> collections.Counter:
	"""Probe jobs by id (without the site) → how many times the worker host logged them finished (ok), from
	the workers' JSON lines (``PINJAMAN_JSON_LOGS=stderr``)."""
	finished = collections.Counter()
	for path in logs.glob("worker-worker-*.log"):
		for line in path.read_text(errors="replace").splitlines():
			if '"job finished"' in line and "probe_job" in line:
				try:
					rec = json.loads(line)
				except ValueError:
					continue
				if rec.get("outcome") == "ok":
					finished[rec.get("job_id", "").split("::")[-1]] += 1
	return finished


def check(plan, db: Database, db_name: str, run_id: str, faults: dict, prep: dict, logs: Path) -> dict:
	"""The books after the run (module docstring)."""
	acked, replays = {}, collections.Counter()
	for st in Stats.all:  # every phase's payments (warm-ups included)
		acked.update(st.payments)
		replays.update(st.replays)
	posted = db.rows(
		f"""SELECT reference_no, name, loan, amount FROM `tabLoan Payment`
		WHERE reference_no LIKE 'SO-{run_id}-%' AND docstatus = 1""",
		db_name,
	)
	by_ref = collections.defaultdict(list)
	for ref, name, loan, amount in posted:
		by_ref[ref].append(name)
	twice = {ref: names for ref, names in by_ref.items() if len(names) > 1}
	lost = [ref for ref in acked if ref not in by_ref]
	unacked = [ref for ref in by_ref if ref not in acked]
	answered_other = [ref for ref, p in acked.items() if ref in by_ref and by_ref[ref] != [p["name"]]]
	names = [name for _, name, _, _ in posted] or ["-"]
	in_list = ", ".join(f"'{n}'" for n in names)
	journals = db.rows(
		f"""SELECT voucher_no, COUNT(DISTINCT journal_no), SUM(debit), SUM(credit) FROM `tabLedger Entry`
		WHERE voucher_type = 'Loan Payment' AND voucher_no IN ({in_list}) AND is_reversal = 0
		GROUP BY voucher_no""",
		db_name,
	)
	amount_of = {name: Decimal(amount) for _, name, _, amount in posted}
	bad_journals = [
		j
		for j in journals
		if j[1] != "1" or Decimal(j[2]) != Decimal(j[3]) or Decimal(j[2]) != amount_of[j[0]]
	]
	no_journal = len(posted) - len(journals)
	# the staff-payment loans' balances moved by exactly what was acknowledged (none was overdue: no penalty)
	loans = ", ".join(f"'{loan}'" for loan in prep["pay_loans"])
	owed = Decimal(db.sql(
		f"SELECT SUM(outstanding_principal + outstanding_interest) FROM `tabLoan` WHERE name IN ({loans})", db_name
	))  # fmt: skip
	all_refs = db.sql(
		f"""SELECT COALESCE(SUM(amount), 0) FROM `tabLoan Payment` WHERE docstatus = 1 AND loan IN ({loans})""",
		db_name,
	)
	paid_all = Decimal(all_refs)
	expected_owed = len(prep["pay_loans"]) * Decimal(14_160_000) - paid_all
	imp = faults["import"]
	result = {
		"payments": {
			"acknowledged": len(acked),
			"acknowledged_in_fault_phase": sum(1 for ref in acked if ref.startswith(f"SO-{run_id}-f-")),
			"posted": len(by_ref),
			"posted_twice": len(twice),
			"lost": len(lost),
			"posted_unacknowledged": len(unacked),
			"answer_names_another_payment": len(answered_other),
			"replayed_deliveries": dict(replays),
			"with_one_balanced_journal": len(journals) - len(bad_journals),
			"bad_journals": len(bad_journals),
			"without_journal": no_journal,
			"loans_owed_after": str(owed),
			"loans_owed_expected": str(expected_owed),
		}
	}
	if imp:
		head = db.rows(
			f"""SELECT status, total_lines, processed_lines, runs, COALESCE(error, '') FROM `tabPension Cut Import`
			WHERE name = '{imp}'""",
			db_name,
		)[0]
		lines = db.rows(
			f"""SELECT COUNT(*), COALESCE(SUM(posted_amount), 0), SUM(loan_payment IS NOT NULL AND loan_payment != '')
			FROM `tabPension Cut Import Line` WHERE cut_import = '{imp}'""",
			db_name,
		)[0]
		pays = db.rows(
			f"""SELECT COUNT(*), COUNT(DISTINCT source_key), COALESCE(SUM(amount), 0) FROM `tabLoan Payment`
			WHERE reference_no = '{imp}' AND docstatus = 1""",
			db_name,
		)[0]
		imp_journals = db.sql(
			f"""SELECT COUNT(DISTINCT e.journal_no) FROM `tabLedger Entry` e JOIN `tabLoan Payment` p
			ON p.name = e.voucher_no AND e.voucher_type = 'Loan Payment' AND e.is_reversal = 0
			WHERE p.reference_no = '{imp}' AND p.docstatus = 1""",
			db_name,
		)
		result["import"] = {
			"name": imp,
			"status": head[0],
			"total_lines": int(head[1]),
			"lines_written": int(lines[0]),
			"processed_lines": int(head[2]),
			"runs": int(head[3]),
			"payments": int(pays[0]),
			"distinct_source_keys": int(pays[1]),
			"payments_amount": str(Decimal(pays[2])),
			"lines_posted_amount": str(Decimal(lines[1])),
			"journals": int(imp_journals),
			**({"error": head[4][-1500:]} if head[4] else {}),
		}
	finished = finished_probes(logs)
	counts = [finished[p["job_id"].split("::")[-1]] for p in faults["probes"] if p["job_id"]]
	result["probe_jobs"] = {
		"queued": len(counts),
		"ran_once": counts.count(1),
		"ran_twice_or_more": sum(1 for c in counts if c > 1),
		"never_ran": counts.count(0),
	}
	result["interrupted_jobs"] = interrupted_jobs(logs)
	return result


def job_events(path: Path):
	"""(message, job id, method, outcome) of the ``job started`` / ``job finished`` JSON lines of a log."""
	for line in path.read_text(errors="replace").splitlines():
		if '"job started"' in line or '"job finished"' in line:
			try:
				rec = json.loads(line)
			except ValueError:
				continue
			yield rec.get("message"), rec.get("job_id"), rec.get("method"), rec.get("outcome")


def interrupted_jobs(logs: Path) -> dict:
	"""The jobs the killed worker host had started and not finished (its first workers' logs), and how many
	times each finished afterwards on the restarted host. A scheduled job's id recurs at every tick: those are
	listed apart (the scheduler runs them again at their next tick)."""
	started, finished_later = {}, collections.Counter()
	for path in logs.glob("worker-worker-*-1.log"):
		done = set()
		for message, job_id, method, _ in job_events(path):
			if message == "job started":
				started[job_id] = method
			else:
				done.add(job_id)
		for job_id in done:
			started.pop(job_id, None)
	for path in logs.glob("worker-worker-*.log"):
		if not path.name.endswith("-1.log"):
			for message, job_id, _, outcome in job_events(path):
				if message == "job finished" and outcome == "ok" and job_id in started:
					finished_later[job_id] += 1
	jobs = [
		{"job_id": job_id, "method": method, "finished_afterwards": finished_later[job_id]}
		for job_id, method in started.items()
		if "::scheduled_job::" not in job_id
	]
	return {
		"interrupted": len(jobs),
		"completed_once": sum(1 for j in jobs if j["finished_afterwards"] == 1),
		# RQ reruns no job whose worker died (after its heartbeat TTL a worker's registry cleanup moves it to
		# the failed registry as abandoned; Frappe's enqueue sets no Retry): such a job ran at most once
		"not_rerun": [j["method"] for j in jobs if j["finished_afterwards"] == 0],
		"jobs": jobs,
		"scheduled_interrupted": sorted(m for j, m in started.items() if "::scheduled_job::" in j),
	}


def verdict(result: dict) -> list[str]:
	"""What is wrong (empty: the run passed)."""
	wrong = []
	f = result["faults"]
	if f["final"].get("failed") or f["final"].get("gave_up"):
		wrong.append(f"requests that did not end in 2xx: {f['unclean'][:5]}")
	bad_kinds = {k: v for k, v in f["attempts"].items() if k not in CLEAN_KINDS}
	if bad_kinds:
		wrong.append(f"failed attempts of kinds that are not retryable: {bad_kinds}")
	p = result["checks"]["payments"]
	for key in ("posted_twice", "lost", "posted_unacknowledged", "answer_names_another_payment", "bad_journals",
		"without_journal"):  # fmt: skip
		if p[key]:
			wrong.append(f"payments {key}: {p[key]}")
	if p["replayed_deliveries"].get("different"):
		wrong.append("a duplicate delivery answered another payment")
	if p["loans_owed_after"] != p["loans_owed_expected"]:
		wrong.append(f"loans owe {p['loans_owed_after']}, expected {p['loans_owed_expected']}")
	i = result["checks"].get("import")
	if not i:
		wrong.append("the billing import never started")
	else:
		if i["status"] != "Reconciled" or i["lines_written"] != i["total_lines"]:
			wrong.append(f"import not finished: {i}")
		if i["payments"] != i["distinct_source_keys"] or i["payments"] != i["journals"]:
			wrong.append(f"import posted a line twice or without its journal: {i}")
		if i["payments_amount"] != i["lines_posted_amount"]:
			wrong.append(f"import payments differ from its lines: {i}")
	if not result["interruptions"]["worker_killed_mid_import"]:
		wrong.append("the worker host was not killed while the import was being matched")
	if not result["interruptions"]["fault_schedule_done"]:
		wrong.append("the fault schedule did not finish")
	pj = result["checks"]["probe_jobs"]
	if pj["ran_twice_or_more"] or pj["never_ran"]:
		wrong.append(f"probe jobs: {pj}")
	ij = result["checks"]["interrupted_jobs"]
	if any(j["finished_afterwards"] > 1 for j in ij["jobs"]):
		wrong.append(f"an interrupted job ran twice afterwards: {ij['jobs']}")
	matching = [j for j in ij["jobs"] if j["method"] == "pinjaman_online.billing.reconciliation.run_matching"]
	if not matching or matching[0]["finished_afterwards"] != 1:
		wrong.append(f"the import's interrupted matching job did not finish exactly once: {ij['jobs']}")
	return wrong


CLEAN_KINDS = {"ok", "connection_refused", "connection_reset", "http_502", "http_503", "http_504",
	"http_409_in_progress"}  # fmt: skip


def main(argv=None) -> int:
	ap = argparse.ArgumentParser(prog="tests/scaleout/run", description=__doc__.split("\n\n")[0])
	ap.add_argument("--plan", action="store_true", help="print the topology and exit (no root needed)")
	ap.add_argument("--listen", default=os.environ.get("SCALEOUT_LISTEN", "127.0.0.1:8097"),
		help="nginx's address on the machine (default 127.0.0.1:8097)")  # fmt: skip
	ap.add_argument("--subnet", default=os.environ.get("SCALEOUT_SUBNET", planmod.SUBNET))
	ap.add_argument(
		"--requests", type=int, default=400, help="requests of each throughput phase (default 400)"
	)
	ap.add_argument(
		"--fault-requests", type=int, default=600, help="requests of the fault phase (default 600)"
	)
	ap.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
	ap.add_argument(
		"--max-seconds", type=float, default=120, help="cap of each phase's duration (default 120)"
	)
	ap.add_argument("--pay-share", type=float, default=0.35, help="share of requests that are payments")
	ap.add_argument(
		"--import-lines", type=int, default=12000, help="lines of the billing import (default 12000)"
	)
	ap.add_argument("--pay-loans", type=int, default=40, help="loans the staff payments go to (default 40)")
	ap.add_argument("--keep", action="store_true", help="keep the database and site folder afterwards")
	args = ap.parse_args(argv)
	work = planmod.BENCH / ".local" / "scaleout"
	plan = planmod.make_plan(work, args.subnet, args.listen)
	if args.plan:
		print(plan.describe())
		return 0
	if os.geteuid() != 0:
		print("tests/scaleout/run needs root (ip netns, veth, bridge)", file=sys.stderr)
		return 2
	work.mkdir(parents=True, exist_ok=True)
	lock = open(work / "lock", "w")  # noqa: SIM115 - held (flock) for the whole run
	try:
		fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
	except BlockingIOError:
		print("another scale-out run holds .local/scaleout/lock", file=sys.stderr)
		return 2
	logs = work / "logs"
	if logs.exists():
		shutil.rmtree(logs)
	logs.mkdir()
	run_id = uuid.uuid4().hex[:8]
	topo = Topology(plan, logs)

	def on_signal(signum, frame):
		raise KeyboardInterrupt(f"signal {signum}")

	signal.signal(signal.SIGTERM, on_signal)
	started = time.monotonic()
	result = {"run_id": run_id, "plan": plan.describe().splitlines()}
	status = 1
	try:
		log(
			"topology: "
			+ ", ".join(f"{r} {h.address}" for r, h in plan.hosts.items())
			+ f"; nginx {plan.listen}"
		)
		topo.build()
		db = Database(plan, topo)
		db.start()
		site = copy_site(plan, db)
		result["site"] = site
		log(
			f"site: migrated in {site['migrate_s']} s; preparing users, loans, the export and its realisation"
		)
		t = time.monotonic()
		prep_out, csv_path = work / "prepare.json", work / "realisation.csv"
		proc = subprocess.run(
			[plan.python(), str(Path(__file__).with_name("prepare_site.py")), plan.site, str(prep_out),
				str(csv_path), str(args.import_lines), str(args.pay_loans)],
			cwd=plan.sites, text=True, capture_output=True, timeout=600, check=False,
		)  # fmt: skip
		if proc.returncode:
			raise RuntimeError(f"prepare_site failed: {proc.stdout[-2000:]}{proc.stderr[-3000:]}")
		prep = json.loads(prep_out.read_text())
		prep["csv"] = str(csv_path)
		site["prepare_s"] = round(time.monotonic() - t, 1)
		log(
			f"site: prepared in {site['prepare_s']} s (import of {args.import_lines} lines, period {prep['period']})"
		)

		start_worker_host(plan, topo)
		start_web(plan, topo, "web1")
		wait_for(lambda: web_ready(plan, "web1"), 120, "web1")
		start_nginx(plan, topo)
		one, one_stats = measure(plan, prep["finance"], "one web host", prep["pay_loans"], run_id, args, 1)
		start_web(plan, topo, "web2")
		wait_for(lambda: web_ready(plan, "web2"), 120, "web2")
		two, two_stats = measure(plan, prep["finance"], "two web hosts", prep["pay_loans"], run_id, args, 2)
		result["throughput"] = {
			"one_web_host": {**one, "attempts": dict(one_stats.attempts)},
			"two_web_hosts": {**two, "attempts": dict(two_stats.attempts)},
		}
		log("faults: web1 killed and restarted, then the worker host mid-import")
		faults = fault_phase(plan, topo, prep, run_id, args)
		stats: Stats = faults["stats"]
		result["faults"] = {
			"load": faults["load"],
			"attempts": dict(stats.attempts),
			"failed_attempts_by_request": dict(stats.retried),
			"final": dict(stats.final),
			"requests_by_kind": dict(stats.by_kind),
			"unclean": stats.unclean[:20],
			"operator_attempts": dict(faults["ops_stats"].attempts),
			"events": faults["events"],
		}
		kill_worker = next((e for e in faults["events"] if e["event"] == "kill -9 worker host"), None)
		result["interruptions"] = {
			"web1_killed": any(e["event"] == "kill -9 web1" for e in faults["events"]),
			"worker_killed_mid_import": bool(kill_worker and kill_worker.get("processed_lines")),
			"fault_schedule_done": faults["fault_schedule_done"],
		}
		checks = check(plan, db, site["db_name"], run_id, faults, prep, logs)
		result["checks"] = checks
		wrong = verdict(result)
		result["verdict"] = "pass" if not wrong else "fail"
		result["wrong"] = wrong
		status = 0 if not wrong else 1
	except BaseException as e:  # noqa: BLE001 - the teardown below must run, and the report say why
		result["verdict"] = "error"
		result["error"] = f"{type(e).__name__}: {e}"
		log(f"error: {result['error']}")
	finally:
		topo.teardown()
		result["total_s"] = round(time.monotonic() - started, 1)
		(work / "report.json").write_text(json.dumps(result, indent=1, default=str))
		if not args.keep:
			shutil.rmtree(work / "mariadb", ignore_errors=True)
			shutil.rmtree(work / "redis", ignore_errors=True)
			shutil.rmtree(plan.sites, ignore_errors=True)
			for name in ("prepare.json", "realisation.csv"):  # the throwaway site's API keys, its file
				(work / name).unlink(missing_ok=True)
		summary(result)
	return status


def summary(result: dict):
	print("\n=== scale-out rehearsal ===")
	t = result.get("throughput")
	if t:
		for label, x in t.items():
			print(f"{label:14} {x['requests']} requests in {x['seconds']} s: {x['rps']} req/s")
	f = result.get("faults")
	if f:
		print(
			f"fault phase    {f['load']['requests']} requests in {f['load']['seconds']} s: {f['load']['rps']} req/s"
		)
		print(f"attempts       {f['attempts']}")
		print(f"failed attempts by request {f['failed_attempts_by_request']}")
		print(f"final answers  {f['final']}")
		for e in f["events"]:
			print(f"  t={e['t']:7.2f}s after {e['requests_done']:5} requests: {e['event']}")
	c = result.get("checks")
	if c:
		print(f"payments       {c['payments']}")
		print(f"import         {c.get('import')}")
		print(f"probe jobs     {c['probe_jobs']}")
		ij = c["interrupted_jobs"]
		print(f"interrupted    {ij['interrupted']} jobs, completed once afterwards {ij['completed_once']}: "
			+ ", ".join(f"{j['method']} ({j['finished_afterwards']}x)" for j in ij["jobs"])
			+ (f"; not rerun (at most once): {ij['not_rerun']}" if ij["not_rerun"] else ""))  # fmt: skip
	print(f"verdict        {result.get('verdict')} {result.get('wrong') or result.get('error') or ''}")
	print(
		f"total          {result.get('total_s')} s; report .local/scaleout/report.json, logs .local/scaleout/logs/"
	)
	# one line in pytest's form, which bin/test --scaleout counts
	print(
		"1 passed (scale-out rehearsal)"
		if result.get("verdict") == "pass"
		else "1 failed (scale-out rehearsal)"
	)


if __name__ == "__main__":
	sys.exit(main())
