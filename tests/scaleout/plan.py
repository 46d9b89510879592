"""The scale-out rehearsal's topology: hosts, addresses, ports, and the command each host runs.

Pure standard library (no Frappe, no root): ``tests/scaleout/run`` builds the plan with :func:`make_plan` and
carries it out; the Tier 1 test (``tests/scaleout/test_plan.py``) checks it, and ``run --plan`` prints it.

Every host is a Linux network namespace with one veth on a bridge of the machine (``BRIDGE``); the machine
itself holds the bridge's first address, so nginx on the machine reaches the web hosts and the rehearsal's
client reaches the database host to prepare and check the site. The namespaces have no default route: a
process in them reaches the other hosts of the plan and nothing else.

| Host | Runs |
|---|---|
| db | MariaDB (own datadir, port 3306) and Redis (cache and queue, port 6379), on the host's address only |
| web1, web2 | gunicorn as ``bin/web`` runs it (``frappe.app:application``, workers, threads, timeout, preload) |
| worker | the Procfile's ``worker`` (RQ: short, default, long) and ``schedule`` |
| (the machine) | nginx from ``config/nginx.conf.template``, its upstream holding both web hosts |
"""

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2]
PREFIX = "so"
"""Every namespace, link and bridge of the rehearsal starts with this (cleanup removes what starts with it)."""
BRIDGE = f"{PREFIX}-br0"
SUBNET = "10.231.0.0/24"
SITE = "scaleout.localhost"
GUNICORN_PORT = 8000
MARIADB_PORT = 3306
REDIS_PORT = 6379
IFNAMSIZ = 15  # longest Linux interface name


@dataclass(frozen=True)
class Host:
	"""One namespace: its name, address on the bridge, and the veth pair joining it to the bridge."""

	role: str
	netns: str
	address: str
	veth_outside: str
	veth_inside: str


@dataclass
class Plan:
	"""Everything ``run`` needs to build, start and tear down the topology."""

	bench: Path
	work: Path
	subnet: str
	bridge: str
	gateway: str
	hosts: dict[str, Host]
	listen: str
	site: str = SITE
	gunicorn_port: int = GUNICORN_PORT
	mariadb_port: int = MARIADB_PORT
	redis_port: int = REDIS_PORT
	gunicorn: dict = field(default_factory=dict)

	@property
	def sites(self) -> Path:
		"""The rehearsal's own sites folder: only its site, so its scheduler and workers see no other."""
		return self.work / "sites"

	@property
	def web_hosts(self) -> list[Host]:
		return [h for role, h in self.hosts.items() if role.startswith("web")]

	def upstream(self) -> str:
		"""nginx's upstream block: both web hosts, each taken out of rotation for a few seconds after a
		failed connection (nginx's passive health check)."""
		servers = "".join(
			f"\t\tserver {h.address}:{self.gunicorn_port} max_fails=1 fail_timeout=5s;\n"
			for h in self.web_hosts
		)
		return "upstream frappe_web {\n" + servers + "\t}"

	def common_site_config(self) -> dict:
		"""The rehearsal's bench-wide config: database and Redis on the db host (as a multi-host bench's
		``common_site_config.json``), nginx's bridge address trusted for ``X-Forwarded-For``."""
		db = self.hosts["db"].address
		return {
			"db_host": db,
			"db_port": self.mariadb_port,
			"redis_cache": f"redis://{db}:{self.redis_port}/0",
			"redis_queue": f"redis://{db}:{self.redis_port}/1",
			"redis_socketio": f"redis://{db}:{self.redis_port}/1",
			"default_site": self.site,
			"serve_default_site": True,
			"trusted_proxies": ["127.0.0.1", "::1", self.gateway],
			"live_reload": False,
			"background_workers": 1,
		}

	def python(self) -> str:
		return str(self.bench / "env" / "bin" / "python")

	def web_command(self, host: Host) -> list[str]:
		"""gunicorn as ``bin/web`` starts it, bound to the web host's address instead of 127.0.0.1."""
		g = self.gunicorn
		return [
			str(self.bench / "env" / "bin" / "gunicorn"),
			"--bind",
			f"{host.address}:{self.gunicorn_port}",
			"--workers",
			str(g["workers"]),
			"--threads",
			str(g["threads"]),
			"--timeout",
			str(g["timeout"]),
			*(["--preload"] if g["preload"] else []),
			"frappe.app:application",
		]

	def worker_commands(self) -> dict[str, list[str]]:
		"""The worker host's processes: RQ workers as production runs them (``deploy/compose.yaml`` has a
		worker service per queue; ``bin/test`` runs one for the long queue and one for the rest), so a long
		job (a billing import) never waits behind a stream of short ones; and the Procfile's ``schedule``.
		``bin/frappe …`` is Frappe's CLI run in the sites folder."""
		cli = [self.python(), "-m", "frappe.utils.bench_helper", "frappe"]
		return {
			"worker-short": [*cli, "worker", "--queue", "short,default"],
			"worker-long": [*cli, "worker", "--queue", "long"],
			"schedule": [*cli, "schedule"],
		}

	def describe(self) -> str:
		"""The plan as text (``run --plan``)."""
		lines = [
			f"bridge {self.bridge} {self.gateway}/{ipaddress.ip_network(self.subnet).prefixlen} (the machine)"
		]
		for role, h in self.hosts.items():
			lines.append(
				f"{role:7} netns {h.netns:10} {h.address:15} veth {h.veth_outside} <-> {h.veth_inside}"
			)
		lines.append(f"nginx   on the machine, {self.listen} -> " + ", ".join(
			f"{h.address}:{self.gunicorn_port}" for h in self.web_hosts))  # fmt: skip
		for h in self.web_hosts:
			lines.append(f"{h.role:7} " + " ".join(self.web_command(h)[1:]))
		for name, cmd in self.worker_commands().items():
			lines.append(f"worker  {name}: " + " ".join(cmd[2:]))
		db = self.hosts["db"].address
		lines.append(f"db      mariadbd {db}:{self.mariadb_port} (datadir {self.work}/mariadb), "
			f"redis-server {db}:{self.redis_port}")  # fmt: skip
		lines.append(f"site    {self.site} in {self.sites}")
		return "\n".join(lines)


def bin_web_gunicorn(bench: Path = BENCH) -> dict:
	"""gunicorn's settings as ``bin/web`` passes them (workers from ``GUNICORN_WORKERS`` of
	``config/setup.env``), so the rehearsal's web hosts run what ``bin/start`` runs."""
	text = (bench / "bin" / "web").read_text()
	line = next(x for x in text.splitlines() if "gunicorn" in x and "--threads" in x)
	threads = int(re.search(r"--threads (\d+)", line).group(1))
	following = text[text.index(line) :].split("\n", 2)
	options = line + following[1]
	timeout = int(re.search(r"--timeout (\d+)", options).group(1))
	env = (bench / "config" / "setup.env").read_text()
	workers = int(re.search(r"GUNICORN_WORKERS=\$\{GUNICORN_WORKERS:-(\d+)\}", env).group(1))
	return {"workers": workers, "threads": threads, "timeout": timeout, "preload": "--preload" in options}


def make_plan(work: Path, subnet: str = SUBNET, listen: str = "127.0.0.1:8097", bench: Path = BENCH) -> Plan:
	"""The plan: the machine on the subnet's first address, then db, web1, web2, worker."""
	net = ipaddress.ip_network(subnet)
	addresses = list(net.hosts())
	hosts = {}
	for i, role in enumerate(("db", "web1", "web2", "worker")):
		ns = f"{PREFIX}-{role}"
		hosts[role] = Host(role, ns, str(addresses[10 + i]), f"{ns}-h", f"{ns}-n")
	return Plan(
		bench=bench,
		work=work,
		subnet=subnet,
		bridge=BRIDGE,
		gateway=str(addresses[0]),
		hosts=hosts,
		listen=listen,
		gunicorn=bin_web_gunicorn(bench),
	)


def render_nginx(plan: Plan, template: str, mime_types: str, user: str = "") -> str:
	"""``config/nginx.conf.template`` rendered as ``render_nginx`` of ``bin/lib.sh`` renders it, its one-server
	upstream replaced by :meth:`Plan.upstream`. Raises ValueError when the template has no such upstream."""
	prefix = plan.work / "nginx"
	text = (
		template.replace("@PREFIX@", str(prefix))
		.replace("@USER@", user)
		.replace("@MIME_TYPES@", mime_types)
		.replace("@LISTEN@", plan.listen)
		.replace("@GUNICORN_PORT@", str(plan.gunicorn_port))
		.replace("@SOCKETIO_PORT@", "9")  # no socketio in the rehearsal: nothing answers there
		.replace("@SITES@", str(plan.sites))
		.replace("@SITE@", plan.site)
	)
	upstream = re.compile(r"upstream frappe_web \{[^}]*\}")
	if len(upstream.findall(text)) != 1:
		raise ValueError("the nginx template has no single 'upstream frappe_web' block")
	return upstream.sub(lambda _: plan.upstream(), text)
