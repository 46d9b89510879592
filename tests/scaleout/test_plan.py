"""Tier 1: the scale-out rehearsal's plan (``plan.py``) and scripts, without root or a site.

The rehearsal itself (``tests/scaleout/run``: namespaces, MariaDB, kill -9) runs only with ``bin/test
--scaleout`` or by hand; this checks what can be checked anywhere: the topology is well formed, the web hosts
run gunicorn as ``bin/web`` does, nginx's rendered config balances both web hosts (and ``nginx -t`` accepts it
when nginx is installed), the scripts parse, and ``run --plan`` prints the plan.
"""

import ipaddress
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import plan as planmod

BENCH = planmod.BENCH


@pytest.fixture
def plan(tmp_path):
	return planmod.make_plan(tmp_path / "scaleout")


def test_the_topology_has_every_role_on_its_own_address(plan):
	assert set(plan.hosts) == {"db", "web1", "web2", "worker"}
	net = ipaddress.ip_network(plan.subnet)
	addresses = [plan.gateway, *(h.address for h in plan.hosts.values())]
	assert len(set(addresses)) == len(addresses)
	assert all(ipaddress.ip_address(a) in net for a in addresses)
	assert [h.role for h in plan.web_hosts] == ["web1", "web2"]
	for h in plan.hosts.values():
		for name in (h.netns, h.veth_outside, h.veth_inside):
			assert name.startswith(planmod.PREFIX + "-"), name  # the teardown removes what starts so
		for link in (h.veth_outside, h.veth_inside):
			assert len(link) <= planmod.IFNAMSIZ, link
	assert len(plan.bridge) <= planmod.IFNAMSIZ


def test_web_hosts_run_gunicorn_as_bin_web_does(plan):
	web = (BENCH / "bin" / "web").read_text()
	env = (BENCH / "config" / "setup.env").read_text()
	workers = re.search(r"GUNICORN_WORKERS=\$\{GUNICORN_WORKERS:-(\d+)\}", env).group(1)
	for h in plan.web_hosts:
		cmd = plan.web_command(h)
		assert cmd[-1] == "frappe.app:application" and "frappe.app:application" in web
		assert cmd[cmd.index("--bind") + 1] == f"{h.address}:{plan.gunicorn_port}"
		assert cmd[cmd.index("--workers") + 1] == workers
		for option in ("--threads", "--timeout"):
			assert f"{option} {cmd[cmd.index(option) + 1]}" in web
		assert ("--preload" in cmd) == ("--preload" in web)


def test_the_worker_host_runs_every_queue_and_the_scheduler(plan):
	commands = plan.worker_commands()
	queues = set()
	for cmd in commands.values():
		if "worker" in cmd:
			queues |= set(cmd[cmd.index("--queue") + 1].split(","))
	assert queues == {"short", "default", "long"}
	assert ["schedule"] in [cmd[-1:] for cmd in commands.values()]
	assert "schedule: bin/frappe schedule" in (BENCH / "Procfile").read_text()


def test_the_site_config_points_every_process_at_the_db_host(plan):
	conf = plan.common_site_config()
	db = plan.hosts["db"].address
	assert conf["db_host"] == db
	for key in ("redis_cache", "redis_queue", "redis_socketio"):
		assert conf[key].startswith(f"redis://{db}:{plan.redis_port}/")
	assert plan.gateway in conf["trusted_proxies"]  # nginx reaches the web hosts from the bridge's address


def test_nginx_balances_both_web_hosts(plan, tmp_path):
	template = (BENCH / "config" / "nginx.conf.template").read_text()
	text = planmod.render_nginx(plan, template, "/etc/nginx/mime.types")
	assert "@" not in re.sub(r"\$\S+|@webserver", "", text.split("http {", 1)[1]), "a placeholder left"
	upstream = re.search(r"upstream frappe_web \{([^}]*)\}", text).group(1)
	servers = re.findall(r"server (\S+) ", upstream)
	assert servers == [f"{h.address}:{plan.gunicorn_port}" for h in plan.web_hosts]
	assert f"listen {plan.listen};" in text
	with pytest.raises(ValueError):
		planmod.render_nginx(plan, template.replace("upstream frappe_web", "upstream other"), "/x")
	nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
	mime = Path("/etc/nginx/mime.types")
	if not nginx or not mime.exists():
		pytest.skip("nginx is not installed here: the rendered config was not given to nginx -t")
	prefix = plan.work / "nginx"
	for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
		(prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
	(prefix / "nginx.conf").write_text(planmod.render_nginx(plan, template, str(mime)))
	res = subprocess.run(
		[nginx, "-t", "-q", "-e", "stderr", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
		capture_output=True,
		text=True,
		check=False,
	)
	assert res.returncode == 0, res.stderr


def test_the_scripts_parse_and_print_the_plan():
	res = subprocess.run(["bash", "-n", str(HERE / "run")], capture_output=True, text=True, check=False)
	assert res.returncode == 0, res.stderr
	for name in ("scaleout.py", "prepare_site.py", "plan.py"):
		compile((HERE / name).read_text(), name, "exec")  # a syntax error raises
	res = subprocess.run(
		[sys.executable, str(HERE / "scaleout.py"), "--plan"], capture_output=True, text=True, check=False
	)
	assert res.returncode == 0, res.stderr
	for role in ("db", "web1", "web2", "worker", "nginx"):
		assert re.search(rf"^{role}\s", res.stdout, re.MULTILINE), res.stdout
