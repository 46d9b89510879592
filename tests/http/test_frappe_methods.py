"""Every whitelisted method of Frappe itself, called as an attacker would (Tier 2).

The methods are read from Frappe's source in the bench (``apps/frappe``: every module-level function decorated
with ``frappe.whitelist``, whether guests may call it, its required parameters). Then:

* a borrower's bearer token gets 403 from every ``frappe.*`` method that serves staff (all but Frappe's guest
  methods and ``login_policy.BORROWER_FRAPPE_METHODS``): backups, translations, emails, report PDFs, access
  logs, version information, the desk;
* every method with a required parameter, called without arguments by a guest, a borrower and a staff user,
  answers a 4xx with a message (Frappe answered 500, a TypeError, for most of them);
* the methods a borrower may call answer a borrower without a 5xx.

Methods without required parameters are not called as staff (they would run). The figures are printed.
"""

import ast
import json
from collections import Counter
from pathlib import Path

import pytest
from pinjaman_online.login_policy import BORROWER_FRAPPE_METHODS
from test_mobile import bearer, registered

FRAPPE = Path(__file__).resolve().parents[2] / "apps" / "frappe" / "frappe"
# methods whose call without arguments ends the caller's session or changes the site for everybody
NOT_CALLED = ("logout", "clear_cache", "reset", "delete", "remove", "rename", "setup_complete")


def frappe_methods() -> list[dict]:
	"""``{"dotted", "guest", "required"}`` of every module-level whitelisted function in Frappe's source."""
	methods = []
	for path in sorted(FRAPPE.rglob("*.py")):
		relative = path.relative_to(FRAPPE.parent)
		if "tests" in relative.parts or path.name.startswith("test_") or "patches" in relative.parts:
			continue
		try:
			tree = ast.parse(path.read_text())
		except (SyntaxError, UnicodeDecodeError):
			continue
		module = ".".join(relative.with_suffix("").parts)
		module = module.removesuffix(".__init__")
		for node in tree.body:
			if not isinstance(node, ast.FunctionDef):
				continue
			decorators = [ast.unparse(d) for d in node.decorator_list]
			whitelist = [d for d in decorators if "whitelist" in d]
			if not whitelist:
				continue
			args = node.args
			positional = args.posonlyargs + args.args
			required = [a.arg for a in positional[: len(positional) - len(args.defaults)]]
			required += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
			methods.append(
				{
					"dotted": f"{module}.{node.name}",
					"guest": any("allow_guest=True" in d for d in whitelist),
					"required": required,
				}
			)
	return methods


METHODS = frappe_methods()
RESULTS: Counter = Counter()


def call(api, method: str):
	return api.call("POST", f"/api/method/{method}", None, json={})


def has_message(r) -> bool:
	try:
		body = r.json()
	except ValueError:
		return False
	return bool(body.get("_server_messages") or body.get("message") or body.get("exception"))


@pytest.fixture(scope="module")
def borrower(guest, sms):
	return bearer(registered(guest, sms)["tokens"]["access_token"])


def test_frappe_source_was_read():
	assert len(METHODS) > 300, len(METHODS)
	assert any(m["dotted"] == "frappe.client.get_list" for m in METHODS)


def test_a_borrower_is_refused_every_frappe_method_that_serves_staff(borrower):
	failures = []
	for m in METHODS:
		dotted = m["dotted"]
		if m["guest"] or dotted.startswith(BORROWER_FRAPPE_METHODS) or dotted.endswith(NOT_CALLED):
			continue
		r = call(borrower, dotted)
		RESULTS[f"borrower refused {r.status_code}"] += 1
		if r.status_code != 403:
			failures.append(f"{dotted}: {r.status_code} {r.text[:160]}")
	assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["guest", "borrower", "staff"])
def test_no_method_answers_5xx_when_called_without_its_arguments(who, guest, borrower, staff):
	api = {"guest": guest, "borrower": borrower, "staff": staff["finance"]}[who]
	failures = []
	for m in METHODS:
		if not m["required"] or m["dotted"].endswith(NOT_CALLED):
			continue
		r = call(api, m["dotted"])
		RESULTS[f"{who} without arguments {r.status_code}"] += 1
		if not (400 <= r.status_code < 500) or not has_message(r):
			failures.append(f"{m['dotted']}: {r.status_code} {r.text[:200]}")
		elif r.status_code == 417:
			missing = [name for name in m["required"] if name in r.text]
			if not missing:
				failures.append(f"{m['dotted']}: 417 does not name {m['required']}: {r.text[:200]}")
	assert not failures, f"{len(failures)} of them:\n" + "\n".join(failures)


def test_the_methods_open_to_a_borrower_answer_without_5xx(borrower):
	failures = []
	for m in METHODS:
		dotted = m["dotted"]
		if dotted.endswith(NOT_CALLED) or not (m["guest"] or dotted.startswith(BORROWER_FRAPPE_METHODS)):
			continue
		r = call(borrower, dotted)
		RESULTS[f"borrower open {r.status_code}"] += 1
		if r.status_code >= 500:
			failures.append(f"{dotted}: {r.status_code} {r.text[:200]}")
	assert not failures, "\n".join(failures)


def test_zz_figures():
	print(
		f"\nFrappe's whitelisted methods: {len(METHODS)} ({sum(m['guest'] for m in METHODS)} open to guests)"
	)
	for key, count in sorted(RESULTS.items()):
		print(f"  {key}: {count}")
	print(json.dumps(dict(RESULTS)))


BACKUP_METHODS = (
	"frappe.integrations.doctype.dropbox_settings.dropbox_settings.take_backup",
	"frappe.integrations.doctype.google_drive.google_drive.take_backup",
	"frappe.integrations.doctype.s3_backup_settings.s3_backup_settings.take_backup",
	"frappe.integrations.doctype.s3_backup_settings.s3_backup_settings.take_backups_s3",
)


def test_only_a_system_manager_queues_a_cloud_backup(staff):
	"""Each of these queued a whole-database backup for any logged-in user."""
	for role, api in staff.items():
		for method in BACKUP_METHODS:
			r = call(api, method)
			assert r.status_code == 403, (role, method, r.status_code, r.text[:200])


def test_a_method_named_twice_is_refused_and_a_doctype_path_is_the_method_it_runs(borrower, staff):
	"""Frappe 15 runs the body's "cmd" whatever the path names, and ``/api/v2/method/<doctype>/<method>`` runs
	a function of the doctype's controller module: neither reaches a method the caller is refused by name."""
	backup = "frappe.integrations.doctype.dropbox_settings.dropbox_settings.take_backup"
	r = borrower.call("POST", "/api/method/frappe.client.get_list", None, json={"cmd": backup})
	assert r.status_code == 400, (r.status_code, r.text[:300])
	r = staff["finance"].call("POST", "/api/method/frappe.ping", None, data={"cmd": backup})
	assert r.status_code == 400, (r.status_code, r.text[:300])
	for api in (borrower, staff["finance"]):
		r = api.call("POST", "/api/v2/method/Dropbox Settings/take_backup", None, json={})
		assert r.status_code == 403, (api.user, r.status_code, r.text[:300])
	r = borrower.call("POST", "/api/v2/method/User/get_all_roles", None, json={})
	assert r.status_code == 403, (r.status_code, r.text[:300])
	# the desk's own way: the method in the path only
	assert staff["finance"].call("POST", "/api/method/frappe.ping", json={}).json()["message"] == "pong"
