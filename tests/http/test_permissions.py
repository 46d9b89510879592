"""The permission suite: nothing outside the role matrix and the user's own records can be read, on any door.

For every doctype of the app (child tables too), as two borrowers (mobile registration, bearer token), each
staff role, a sales agent bound to a branch by a User Permission, and Guest, every read door is tried:
REST lists and gets (``/api/resource``, ``/api/v2``), ``frappe.client.get_list/get/get_value/get_count/
validate_link/get_single_value``, reportview (``get``, ``get_count``), link search (with
``ignore_user_permissions``), form load (``getdoc``), every app report (``query_report.run``), private
file downloads, Notification Log, Version and Comment.

The expected answer (the oracle) comes from the site's own DocPerms (read by Administrator) and from the
records as Administrator sees them:
- a user whose roles grant no read on a doctype gets 403 (or nothing) from every door;
- a borrower (role Member) sees only their own records: the Member linked to their user and records whose
  ``member`` (or ``loan``'s member) is it; if-owner permissions add the owner condition;
- a user bound to a Sales Branch by a User Permission sees only records of that branch (or of none), and
  a member's records (by ``member`` or ``loan``) only for members of that branch (or of none);
- a child row is readable exactly when its parent record is (through a table field at a level the user reads).
Lists must return exactly the readable records, counts must count exactly them, and a record outside them is
refused by name. The figures are printed at the end (``bin/test -s``).
"""

import datetime as dt
import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import URL, Api, book_loan, new_session, upload
from test_mobile import bearer, registered

APP = Path(__file__).resolve().parents[2] / "apps" / "pinjaman_online" / "pinjaman_online"
FIGURES = Counter()
FIGURES_LOCK = threading.Lock()
DOORS: set[str] = set()
CHECKED_DOCTYPES: set[str] = set()
CHECKED_USERS: set[str] = set()


def tally(door: str, doctype: str, user: str, denial: bool):
	with FIGURES_LOCK:
		DOORS.add(door)
		CHECKED_DOCTYPES.add(doctype)
		CHECKED_USERS.add(user)
		FIGURES["checks"] += 1
		if denial:
			FIGURES["denials"] += 1


def app_doctypes() -> dict[str, dict]:
	"""Every doctype JSON of the app, by name."""
	out = {}
	for path in sorted(APP.glob("*/doctype/*/*.json")):
		meta = json.loads(path.read_text())
		if meta.get("doctype") == "DocType":
			out[meta["name"]] = meta
	return out


DOCTYPES = app_doctypes()
PARENTS = {
	name: meta for name, meta in DOCTYPES.items() if not meta.get("istable") and not meta.get("issingle")
}
SINGLES = sorted(name for name, meta in DOCTYPES.items() if meta.get("issingle"))
# child doctype -> [(parent doctype, table field, its permlevel)]
CHILDREN: dict[str, list[tuple[str, str, int]]] = {}
for _name, _meta in DOCTYPES.items():
	for _df in _meta["fields"]:
		if _df["fieldtype"] in ("Table", "Table MultiSelect"):
			CHILDREN.setdefault(_df["options"], []).append(
				(_name, _df["fieldname"], _df.get("permlevel", 0) or 0)
			)
REPORTS = sorted(
	json.loads(p.read_text())["name"] for p in APP.glob("*/report/*/*.json") if p.stem == p.parent.name
)


def link_fields(doctype: str, target: str) -> list[str]:
	return [
		df["fieldname"]
		for df in DOCTYPES[doctype]["fields"]
		if df["fieldtype"] == "Link" and df.get("options") == target and not df.get("ignore_user_permissions")
	]


# ---------------------------------------------------------------- the site's DocPerms (the role matrix)


class Perms:
	"""Effective DocPerms of the site: Custom DocPerms replace a doctype's DocPerms when it has any."""

	def __init__(self, admin: Api):
		fields = json.dumps(["parent", "role", "permlevel", "read", "select", "if_owner", "report"])
		std = admin.call(
			"GET",
			"/api/resource/DocPerm",
			params={"parent": "DocType", "fields": fields, "limit_page_length": 0},
		).json()["data"]
		custom = admin.list("Custom DocPerm", fields=fields, limit_page_length=0)
		with_custom = {p["parent"] for p in custom}
		self.rows = custom + [p for p in std if p["parent"] not in with_custom]

	def reads(self, doctype: str, roles: set[str], level: int = 0) -> bool:
		return any(
			p["parent"] == doctype and p["role"] in roles and p["permlevel"] == level and p["read"]
			for p in self.rows
		)

	def owner_only(self, doctype: str, roles: set[str]) -> bool:
		rows = [
			p
			for p in self.rows
			if p["parent"] == doctype and p["role"] in roles and p["permlevel"] == 0 and p["read"]
		]
		return bool(rows) and all(p["if_owner"] for p in rows)

	def only_borrower_reads(self, doctype: str, roles: set[str]) -> bool:
		granting = {
			p["role"]
			for p in self.rows
			if p["parent"] == doctype and p["role"] in roles and p["permlevel"] == 0 and p["read"]
		}
		return bool(granting) and granting <= {"Member"}


# ---------------------------------------------------------------- the users and their records


class Who:
	"""A user of the suite: its client, roles, and what bounds its records (own member, branch)."""

	def __init__(self, key: str, api: Api, roles: set[str], member=None, branch=None):
		self.key, self.api, self.roles, self.member, self.branch = key, api, roles, member, branch


def settle(admin, doctypes=("Borrower Event", "Borrower Notification"), quiet: int = 3, limit: int = 180):
	"""Wait until the background jobs the setup set off (event handlers writing notifications after the
	commits) are done: the counts of ``doctypes`` unchanged over ``quiet`` consecutive polls a second apart
	(at most ``limit`` polls), so the oracle's snapshot is the final one."""
	import time

	last, same = None, 0
	for _ in range(limit):
		counts = [admin.method("frappe.client.get_count", verb="GET", doctype=d) for d in doctypes]
		same = same + 1 if counts == last else 0
		if same >= quiet:
			return
		last = counts
		time.sleep(1)


@pytest.fixture(scope="module")
def world(admin, staff, make_user, guest, sms):
	"""Two borrowers with records of their own (a disbursed loan for the first), a pensioner's loan booked
	by staff, a branch with a bound sales agent (the first borrower in another branch), a notification and a comment about the second borrower."""
	tag = uuid.uuid4().hex[:6].upper()
	product = admin.insert(
		"Loan Product",
		{
			"product_name": f"Pensiun Perm {tag}",
			"product_type": "Pension Loan",
			"min_principal": 1000000,
			"max_principal": 300000000,
			"min_tenor_months": 6,
			"max_tenor_months": 180,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
			"fees": [{"fee_type": "Admin", "basis": "Amount", "amount": 100000}],
		},
	)["name"]
	first_due = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=10)
	ana, ben = registered(guest, sms), registered(guest, sms)
	ana_member, ben_member = ana["registration"]["member"], ben["registration"]["member"]
	ana_loan = book_loan(staff, product, 12_000_000, 12, first_due, member=ana_member)
	other_loan = book_loan(staff, product, 15_000_000, 12, first_due)
	staff["finance"].method(
		"pinjaman_online.api.servicing.pay", loan=ana_loan, amount=500000, payment_method="Bank Transfer"
	)
	staff["finance"].method(
		"pinjaman_online.api.servicing.pay", loan=other_loan, amount=700000, payment_method="Bank Transfer"
	)
	# the second borrower's own rows and a private document file
	ben_doc = upload(staff["sales"], ben_member, f"KTP-{tag}.pdf")
	staff["sales"].update(
		"Member",
		ben_member,
		{
			"pension_fund": "Asabri",
			"pension_number": f"ASB{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 6_000_000,
			"bank_accounts": [{"bank_name": "BRI", "account_number": "555000111", "account_holder": "Ben"}],
			"contacts": [{"contact_type": "Mobile", "value": "081200000000"}],
			"documents": [{"document_type": "KTP", "file": ben_doc}],
		},
	)
	branch = admin.insert("Sales Branch", {"branch_code": f"P{tag}", "branch_name": f"Cabang Perm {tag}"})[
		"name"
	]
	admin.update("Member", ben_member, {"sales_branch": branch})
	# the first borrower (who has a loan, a payment and installments) belongs to another branch
	other_branch = admin.insert(
		"Sales Branch", {"branch_code": f"Q{tag}", "branch_name": f"Cabang Lain {tag}"}
	)["name"]
	admin.update("Member", ana_member, {"sales_branch": other_branch})
	agent = make_user("branch-sales", "Sales")
	admin.insert(
		"User Permission",
		{"user": agent.user, "allow": "Sales Branch", "for_value": branch, "apply_to_all_doctypes": 1},
	)
	notification = admin.insert(
		"Notification Log",
		{"for_user": ben["email"], "subject": f"Pembayaran {tag} diterima", "type": "Alert"},
	)["name"]
	comment = admin.insert(
		"Comment",
		{
			"comment_type": "Comment",
			"reference_doctype": "Member",
			"reference_name": ben_member,
			"content": f"NIK checked {tag}",
		},
	)["name"]
	users = [
		Who("borrower-a", bearer(ana["tokens"]["access_token"]), {"Member"}, member=ana_member),
		Who("borrower-b", bearer(ben["tokens"]["access_token"]), {"Member"}, member=ben_member),
		Who("guest", guest, {"Guest"}),
		Who("sales", staff["sales"], {"Sales"}),
		Who("branch-sales", agent, {"Sales"}, branch=branch),
		Who("analyst", staff["analyst"], {"Credit Analyst"}),
		Who("spv", staff["spv"], {"Committee SPV", "Committee Manager"}),
		Who("manager", staff["manager"], {"Committee Manager"}),
		Who("finance", staff["finance"], {"Finance"}),
		Who("koperasi-admin", staff["admin"], {"Koperasi Admin"}),
		Who("auditor", make_user("auditor", "Auditor"), {"Auditor"}),
		Who("director", make_user("director", "Director"), {"Director"}),
	]
	for who in users:
		if who.key != "guest":
			who.roles |= {"All", "Guest"}
	settle(admin)
	return {
		"users": users,
		"perms": Perms(admin),
		"ana": ana,
		"ben": ben,
		"ben_member": ben_member,
		"ben_file": ben_doc,
		"ana_loan": ana_loan,
		"notification": notification,
		"comment": comment,
		"branch": branch,
	}


# ---------------------------------------------------------------- the oracle


class Truth:
	"""Every record of the app's doctypes as Administrator sees them, and who may read which."""

	def __init__(self, admin: Api, world: dict):
		self.perms: Perms = world["perms"]
		self.records: dict[str, list[dict]] = {}
		self.children: dict[str, list[dict]] = {}
		loans = {}
		for doctype in PARENTS:
			wanted = ["name", "owner"] + [
				f
				for f in ("member", "loan", "user", "sales_branch")
				if any(df["fieldname"] == f for df in DOCTYPES[doctype]["fields"])
			]
			wanted += [f for f in link_fields(doctype, "Sales Branch") if f not in wanted]
			rows = admin.list(doctype, fields=json.dumps(wanted), limit_page_length=0)
			self.records[doctype] = rows
			if doctype == "Loan":
				loans = {r["name"]: r.get("member") for r in rows}
		self.loan_member = loans
		self.member_branch = {r["name"]: r.get("sales_branch") for r in self.records.get("Member", [])}
		for child, parents in CHILDREN.items():
			rows = []
			for parent, _field, _level in parents:
				rows += admin.method(
					"frappe.client.get_list",
					doctype=child,
					parent=parent,
					fields=["name", "parent", "parenttype", "parentfield"],
					limit_page_length=0,
				)
			self.children[child] = rows

	def may_read(self, who: Who, doctype: str, row: dict) -> bool:
		roles = who.roles
		if not self.perms.reads(doctype, roles):
			return False
		if self.perms.owner_only(doctype, roles) and row.get("owner") != who.api.user:
			return False
		if self.perms.only_borrower_reads(doctype, roles):
			if doctype == "Member":
				return row["name"] == who.member
			if "member" in row:
				return bool(row["member"]) and row["member"] == who.member
			if "loan" in row:
				return self.loan_member.get(row["loan"]) == who.member and bool(who.member)
			if "user" in row:
				return row["user"] == who.api.user
		# staff other than admins and auditors read the deliveries about a member and their own
		# (borrower.notifications.log_query)
		staff_log = doctype == "Borrower Notification" and not roles & {
			"System Manager",
			"Koperasi Admin",
			"Auditor",
		}
		if staff_log and not row.get("member") and row.get("user") != who.api.user:
			return False
		if who.branch:
			if doctype == "Sales Branch":
				return row["name"] == who.branch
			for f in link_fields(doctype, "Sales Branch"):
				if row.get(f) and row[f] != who.branch:
					return False
			# a member's records follow the member: only those of members the agent may read
			if doctype != "Member":
				member = row.get("member") if "member" in row else self.loan_member.get(row.get("loan"))
				if member and self.member_branch.get(member) not in (None, "", who.branch):
					return False
		return True

	def readable(self, who: Who, doctype: str) -> set[str]:
		return {r["name"] for r in self.records[doctype] if self.may_read(who, doctype, r)}

	def readable_rows(self, who: Who, child: str) -> set[str]:
		ok = set()
		for parent, field, level in CHILDREN[child]:
			if level and not self.perms.reads(parent, who.roles, level):
				continue
			if parent in SINGLES:
				parents = {parent} if self.perms.reads(parent, who.roles) else set()
			else:
				parents = self.readable(who, parent)
			ok |= {
				r["name"]
				for r in self.children[child]
				if r["parenttype"] == parent and r["parentfield"] == field and r["parent"] in parents
			}
		return ok


@pytest.fixture(scope="module")
def truth(admin, world) -> Truth:
	return Truth(admin, world)


# ---------------------------------------------------------------- doors


def names_of(response) -> set[str] | None:
	"""The names in a list answer (None when refused)."""
	if response.status_code in (401, 403):
		return None
	assert response.status_code == 200, (
		f"{response.request.url}: {response.status_code} {response.text[:400]}"
	)
	body = response.json()
	data = body.get("data", body.get("message"))
	if isinstance(data, dict) and "keys" in data:  # reportview.get: compressed
		i = data["keys"].index("name")
		return {row[i] for row in data["values"]}
	if isinstance(data, dict) and not data:
		return set()
	return {r["name"] if isinstance(r, dict) else r[0] for r in data or []}


def count_of(response) -> int | None:
	if response.status_code in (401, 403):
		return None
	assert response.status_code == 200, (
		f"{response.request.url}: {response.status_code} {response.text[:400]}"
	)
	body = response.json()
	return int(body.get("data", body.get("message")) or 0)


def get(who: Who, path: str, **params):
	return who.api.s.get(URL + path, params=params, timeout=60)


LIST_DOORS = {
	"/api/resource list": lambda who, dt: get(
		who, f"/api/resource/{dt}", fields='["name"]', limit_page_length=0
	),
	"/api/v2 document list": lambda who, dt: get(
		who, f"/api/v2/document/{dt}", fields='["name"]', limit=100000
	),
	"frappe.client.get_list": lambda who, dt: get(
		who, "/api/method/frappe.client.get_list", doctype=dt, fields='["name"]', limit_page_length=0
	),
	"frappe.desk.reportview.get": lambda who, dt: get(
		who, "/api/method/frappe.desk.reportview.get", doctype=dt, fields='["name"]', page_length=100000
	),
}
COUNT_DOORS = {
	"frappe.client.get_count": lambda who, dt: get(who, "/api/method/frappe.client.get_count", doctype=dt),
	"frappe.desk.reportview.get_count": lambda who, dt: get(
		who, "/api/method/frappe.desk.reportview.get_count", doctype=dt
	),
	"/api/v2 count": lambda who, dt: get(who, f"/api/v2/doctype/{dt}/count"),
}
DESK_DOORS = {"frappe.desk.reportview.get", "frappe.desk.reportview.get_count"}
ONE_DOORS = {
	"/api/resource get": lambda who, dt, name: get(who, f"/api/resource/{dt}/{name}"),
	"/api/v2 document get": lambda who, dt, name: get(who, f"/api/v2/document/{dt}/{name}/"),
	"frappe.client.get": lambda who, dt, name: get(
		who, "/api/method/frappe.client.get", doctype=dt, name=name
	),
	"frappe.desk.form.load.getdoc": lambda who, dt, name: get(
		who, "/api/method/frappe.desk.form.load.getdoc", doctype=dt, name=name
	),
}


def refused(response) -> bool:
	return response.status_code in (401, 403, 404)


def check_doctype(who: Who, doctype: str, truth: Truth) -> list[str]:
	"""Every door for one user and one (non-child) doctype; returns the failures."""
	failures = []
	allowed = truth.readable(who, doctype)
	everything = {r["name"] for r in truth.records[doctype]}
	denied = everything - allowed
	for door, call in LIST_DOORS.items():
		got = names_of(call(who, doctype))
		tally(door, doctype, who.key, bool(denied))
		if got is None and (door in DESK_DOORS and who.member):
			continue  # desk doors refuse website users (borrowers) altogether
		got = set() if got is None else got
		if got != allowed:
			failures.append(
				f"{door} {doctype} as {who.key}: {len(got)} rows, expected {len(allowed)}; "
				f"outside the rules: {sorted(got - allowed)[:3]}, missing: {sorted(allowed - got)[:3]}"
			)
	for door, call in COUNT_DOORS.items():
		n = count_of(call(who, doctype))
		tally(door, doctype, who.key, bool(denied))
		if n is None and (door in DESK_DOORS and who.member):
			continue
		if (n or 0) != len(allowed):
			failures.append(f"{door} {doctype} as {who.key}: {n}, expected {len(allowed)}")
	# a filter on a record outside the rules counts nothing (no oracle on its fields); by-name doors are
	# tried where the doctype itself is readable (elsewhere the list doors above were refused already)
	if denied and truth.perms.reads(doctype, who.roles):
		victim = min(denied)
		r = get(
			who,
			"/api/method/frappe.client.get_count",
			doctype=doctype,
			filters=json.dumps([["name", "=", victim]]),
			debug=1,
		)
		tally("frappe.client.get_count filtered", doctype, who.key, True)
		if count_of(r) or "_debug_messages" in r.text:
			failures.append(f"get_count of {doctype} {victim} as {who.key}: {r.text[:200]}")
		for door, call in ONE_DOORS.items():
			r = call(who, doctype, victim)
			tally(door, doctype, who.key, True)
			if not refused(r):
				failures.append(f"{door} {doctype} {victim} as {who.key}: {r.status_code} {r.text[:150]}")
		r = get(who, "/api/method/frappe.client.validate_link", doctype=doctype, docname=victim)
		tally("frappe.client.validate_link", doctype, who.key, True)
		if r.status_code == 200 and (r.json().get("message") or {}).get("name"):
			failures.append(f"validate_link {doctype} {victim} as {who.key} confirms it exists")
		r = get(
			who,
			"/api/method/frappe.client.get_value",
			doctype=doctype,
			fieldname="name",
			filters=json.dumps({"name": victim}),
		)
		tally("frappe.client.get_value", doctype, who.key, True)
		if r.status_code == 200 and (r.json().get("message") or {}).get("name"):
			failures.append(f"get_value {doctype} {victim} as {who.key}: {r.text[:150]}")
	r = get(
		who,
		"/api/method/frappe.desk.search.search_link",
		doctype=doctype,
		txt="",
		page_length=100000,
		ignore_user_permissions=1,
	)
	tally("frappe.desk.search.search_link", doctype, who.key, bool(denied))
	if r.status_code == 200:
		found = {x["value"] for x in r.json().get("message") or r.json().get("results") or []}
		if found - allowed:
			failures.append(
				f"search_link {doctype} as {who.key}: {sorted(found - allowed)[:3]} outside the rules"
			)
	elif not refused(r) and r.status_code != 417:
		failures.append(f"search_link {doctype} as {who.key}: {r.status_code} {r.text[:150]}")
	return failures


def check_child(who: Who, child: str, truth: Truth) -> list[str]:
	failures = []
	allowed = truth.readable_rows(who, child)
	everything = {r["name"] for r in truth.children[child]}
	denied = everything - allowed
	got_all = set()
	for parent, _field, _level in CHILDREN[child]:
		for door, params in (
			("frappe.client.get_list", {"limit_page_length": 0}),
			("frappe.desk.reportview.get", {"parent_doctype": parent, "page_length": 100000}),
		):
			params = {"doctype": child, "fields": '["name"]', **params}
			if door == "frappe.client.get_list":
				params["parent"] = parent
			got = names_of(get(who, f"/api/method/{door}", **params)) or set()
			tally(f"{door} (child)", child, who.key, bool(denied))
			if got - allowed:
				failures.append(f"{door} {child} parent={parent} as {who.key}: {sorted(got - allowed)[:3]}")
			if door == "frappe.client.get_list":
				got_all |= got
		got = names_of(get(who, f"/api/v2/document/{child}", parent=parent, fields='["name"]', limit=100000))
		tally("/api/v2 document list (child)", child, who.key, bool(denied))
		if (got or set()) - allowed:
			failures.append(f"/api/v2 {child} parent={parent} as {who.key}: {sorted(got - allowed)[:3]}")
		r = get(
			who,
			"/api/method/frappe.desk.search.search_link",
			doctype=child,
			txt="",
			reference_doctype=parent,
			ignore_user_permissions=1,
			page_length=100000,
		)
		tally("frappe.desk.search.search_link (child)", child, who.key, bool(denied))
		if r.status_code == 200:
			found = {x["value"] for x in r.json().get("message") or []}
			if found - allowed:
				failures.append(f"search_link {child} ({parent}) as {who.key}: {sorted(found - allowed)[:3]}")
		elif not refused(r) and r.status_code != 417:
			failures.append(f"search_link {child} ({parent}) as {who.key}: {r.status_code} {r.text[:150]}")
		n = count_of(get(who, "/api/method/frappe.client.get_count", doctype=child, parent=parent))
		tally("frappe.client.get_count (child)", child, who.key, bool(denied))
		rows_of_parent = {
			r["name"] for r in truth.children[child] if r["parenttype"] == parent and r["name"] in allowed
		}
		if (n or 0) != len(rows_of_parent):
			failures.append(
				f"get_count {child} parent={parent} as {who.key}: {n}, expected {len(rows_of_parent)}"
			)
	if got_all != allowed:
		failures.append(f"get_list {child} as {who.key}: {len(got_all)} rows, expected {len(allowed)}")
	for victim in sorted(denied)[:1]:
		row = next(r for r in truth.children[child] if r["name"] == victim)
		for door, path, params in (
			(
				"frappe.client.get (child)",
				"/api/method/frappe.client.get",
				{"doctype": child, "name": victim},
			),
			("/api/resource get (child)", f"/api/resource/{child}/{victim}", {}),
			("/api/v2 document get (child)", f"/api/v2/document/{child}/{victim}/", {}),
			(
				"frappe.desk.form.load.getdoc (child)",
				"/api/method/frappe.desk.form.load.getdoc",
				{"doctype": child, "name": victim},
			),
		):
			r = get(who, path, parent=row["parenttype"], **params)
			tally(door, child, who.key, True)
			if not refused(r):
				failures.append(f"{door} {child} {victim} as {who.key}: {r.status_code} {r.text[:150]}")
	return failures


def run_all(jobs) -> list[str]:
	with ThreadPoolExecutor(max_workers=4) as pool:
		return [f for result in pool.map(lambda job: job[0](*job[1:]), jobs) for f in result]


# ---------------------------------------------------------------- the tests


def test_every_doctype_on_every_list_count_and_record_door(world, truth):
	jobs = [(check_doctype, who, doctype, truth) for who in world["users"] for doctype in sorted(PARENTS)]
	failures = run_all(jobs)
	assert not failures, f"{len(failures)} leaks or refusals:\n" + "\n".join(failures[:40])


def test_child_rows_only_with_their_parent_record(world, truth):
	# the borrowers' and the branch-bound agent's own view is not empty: the rule narrows, it does not blind
	ana = next(w for w in world["users"] if w.key == "borrower-a")
	assert truth.readable_rows(ana, "Member Document") and truth.readable_rows(ana, "Eligibility Check")
	jobs = [(check_child, who, child, truth) for who in world["users"] for child in sorted(CHILDREN)]
	failures = run_all(jobs)
	assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures[:40])


def test_member_bank_accounts_of_one_borrower_only(world):
	"""The attack of the report: every member's bank accounts through get_list with parent=Member."""
	for key in ("borrower-a", "borrower-b"):
		who = next(w for w in world["users"] if w.key == key)
		rows = who.api.method(
			"frappe.client.get_list",
			doctype="Member Bank Account",
			parent="Member",
			fields=["name", "parent"],
			limit_page_length=0,
		)
		tally("frappe.client.get_list (child)", "Member Bank Account", key, True)
		assert {r["parent"] for r in rows} <= {who.member}, rows


def test_singles_and_their_fields(world, truth):
	for who in world["users"]:
		for single in SINGLES:
			may = truth.perms.reads(single, who.roles)
			r = get(who, "/api/method/frappe.desk.form.load.getdoc", doctype=single, name=single)
			tally("frappe.desk.form.load.getdoc", single, who.key, not may)
			assert (r.status_code == 200) == may, f"getdoc {single} as {who.key}: {r.status_code}"
			field = next(
				df["fieldname"]
				for df in DOCTYPES[single]["fields"]
				if df["fieldtype"] not in ("Section Break", "Column Break", "Tab Break", "Table", "HTML")
			)
			r = get(who, "/api/method/frappe.client.get_single_value", doctype=single, field=field)
			tally("frappe.client.get_single_value", single, who.key, not may)
			assert (r.status_code == 200) == may, f"get_single_value {single} as {who.key}: {r.status_code}"


def test_reports_only_for_their_roles(admin, world):
	roles_of, ref_of = {}, {}
	for path in APP.glob("*/report/*/*.json"):
		meta = json.loads(path.read_text())
		if path.stem == path.parent.name:
			roles_of[meta["name"]] = {r["role"] for r in meta.get("roles", [])}
			ref_of[meta["name"]] = meta["ref_doctype"]
	perms = world["perms"]
	for who in world["users"]:
		for report in REPORTS:
			r = get(
				who,
				"/api/method/frappe.desk.query_report.run",
				report_name=report,
				filters=json.dumps({"period": dt.date.today().strftime("%Y-%m")}),
			)
			allowed = bool(who.roles & roles_of[report]) and any(
				p["parent"] == ref_of[report] and p["role"] in who.roles and p["report"] for p in perms.rows
			)
			tally("frappe.desk.query_report.run", report, who.key, not allowed)
			if allowed:
				assert r.status_code != 403, f"{report} as {who.key}: {r.status_code} {r.text[:200]}"
			else:
				assert refused(r), f"{report} as {who.key}: {r.status_code} {r.text[:200]}"


def test_private_files_follow_their_document(world):
	users = {w.key: w for w in world["users"]}
	url = world["ben_file"]
	for key, may in (("borrower-b", True), ("borrower-a", False), ("guest", False), ("sales", True)):
		r = users[key].api.s.get(URL + url, timeout=60)
		tally("/private/files", "File", key, not may)
		assert (r.status_code == 200) == may, f"{url} as {key}: {r.status_code}"
	# a File record of one's own pointing at another's private URL grants nothing
	ana = users["borrower-a"]
	r = ana.api.s.post(
		URL + "/api/resource/File",
		json={
			"file_url": url,
			"is_private": 1,
			"attached_to_doctype": "Member",
			"attached_to_name": ana.member,
		},
		timeout=60,
	)
	r = ana.api.s.get(URL + url, timeout=60)
	tally("/private/files (own File record on another's URL)", "File", "borrower-a", True)
	assert r.status_code in (403, 404), f"{url} through a forged File record: {r.status_code}"
	files = (
		names_of(get(ana, "/api/resource/File", fields='["name","file_url"]', limit_page_length=0)) or set()
	)
	tally("/api/resource list", "File", "borrower-a", True)
	branch = users["branch-sales"]
	listed = branch.api.s.get(
		URL + "/api/resource/File",
		params={"fields": '["file_url","attached_to_name"]', "limit_page_length": 0},
		timeout=60,
	).json()["data"]
	tally("/api/resource list", "File", "sales", True)
	assert files is not None
	assert url in {f["file_url"] for f in listed}  # the branch's member (ben) is the agent's
	for who in (users["borrower-a"], users["guest"]):
		rows = who.api.s.get(
			URL + "/api/resource/File",
			params={"fields": '["attached_to_doctype","attached_to_name"]', "limit_page_length": 0},
			timeout=60,
		)
		tally("/api/resource list", "File", who.key, True)
		if rows.status_code == 200:
			assert world["ben_member"] not in {f["attached_to_name"] for f in rows.json()["data"]}


def test_notification_log_version_and_comment(admin, world):
	users = {w.key: w for w in world["users"]}
	name = world["notification"]
	r = users["borrower-a"].api.s.get(URL + f"/api/resource/Notification Log/{name}", timeout=60)
	tally("/api/resource get", "Notification Log", "borrower-a", True)
	assert refused(r), r.text[:200]
	r = users["borrower-b"].api.s.get(URL + f"/api/resource/Notification Log/{name}", timeout=60)
	tally("/api/resource get", "Notification Log", "borrower-b", False)
	assert r.status_code == 200, r.text[:200]
	for key in ("sales", "auditor", "borrower-a"):
		got = names_of(get(users[key], "/api/resource/Notification Log", limit_page_length=0)) or set()
		tally("/api/resource list", "Notification Log", key, True)
		assert name not in got
	# Version: the auditor reads the change log of what they may read only
	perms = world["perms"]
	auditor = users["auditor"]
	versions = admin.list("Version", fields='["name","ref_doctype","docname"]', limit_page_length=500)
	# (a user's own User record is shared with them, and so is its change log)
	hidden = [
		v
		for v in versions
		if not perms.reads(v["ref_doctype"], auditor.roles) and v["docname"] != auditor.api.user
	]
	shown = [v for v in versions if perms.reads(v["ref_doctype"], auditor.roles)]
	assert hidden and shown, "the suite's own changes leave Versions of both kinds"
	for v, may in ((hidden[0], False), (shown[0], True)):
		r = auditor.api.s.get(URL + f"/api/resource/Version/{v['name']}", timeout=60)
		tally("/api/resource get", "Version", "auditor", not may)
		assert (r.status_code == 200) == may, f"Version of {v['ref_doctype']} as auditor: {r.status_code}"
	got = names_of(get(auditor, "/api/resource/Version", fields='["name"]', limit_page_length=0)) or set()
	tally("/api/resource list", "Version", "auditor", True)
	leaked = {v["name"]: v["ref_doctype"] for v in hidden if v["name"] in got}
	assert not leaked, (
		f"Versions of unreadable doctypes listed for the auditor: {sorted(set(leaked.values()))}"
	)
	for key in ("borrower-a", "sales", "auditor"):
		r = users[key].api.s.get(URL + f"/api/resource/Comment/{world['comment']}", timeout=60)
		tally("/api/resource get", "Comment", key, True)
		assert refused(r), f"Comment as {key}: {r.status_code}"


def test_another_users_notification_cannot_be_marked_read(admin, world):
	"""The desk's notification drawer marks a notification read by name: staff cannot mark a borrower's."""
	users = {w.key: w for w in world["users"]}
	name = admin.insert(
		"Notification Log",
		{"for_user": world["ben"]["email"], "subject": "Angsuran jatuh tempo", "type": "Alert"},
	)["name"]
	for key in ("sales", "finance", "koperasi-admin"):
		users[key].api.call(
			"POST",
			"/api/method/frappe.desk.doctype.notification_log.notification_log.mark_as_read",
			None,
			json={"docname": name},
		)
		tally("notification_log.mark_as_read", "Notification Log", key, True)
		assert admin.get("Notification Log", name)["read"] == 0, f"marked read by {key}"


def test_following_a_record_needs_reading_it(admin, world):
	"""A followed record's changes and comments are mailed to its follower: a sales agent cannot follow a
	member outside their branch, and still follows one of their own."""
	users = {w.key: w for w in world["users"]}
	agent = users["branch-sales"]
	outside = users["borrower-a"].member
	admin.update("User", agent.api.user, {"document_follow_notify": 1})
	method = "/api/method/frappe.desk.form.document_follow.follow_document"
	r = agent.api.call(
		"POST", method, None, json={"doctype": "Member", "doc_name": outside, "user": agent.api.user}
	)
	tally("document_follow.follow_document", "Member", agent.key, True)
	assert refused(r), f"follow {outside}: {r.status_code} {r.text[:300]}"
	follows = admin.list(
		"Document Follow", filters=json.dumps([["ref_docname", "=", outside]]), fields='["user"]'
	)
	assert not follows, follows
	r = agent.api.call(
		"POST",
		method,
		None,
		json={"doctype": "Member", "doc_name": world["ben_member"], "user": agent.api.user},
	)
	tally("document_follow.follow_document", "Member", agent.key, False)
	assert r.status_code == 200, r.text[:300]


def test_likes_tags_and_followers_need_reading_the_record(admin, world):
	"""Liking (which also comments on the record) and listing followers of a record need reading it, tagging
	it needs writing it: a sales agent bound to another branch, on the first borrower's member and loan, is
	answered as for a record that does not exist; Finance likes the loan, a Finance clerk who reads the member
	but may not change it is refused its tags (403), Sales tags it. (Borrowers are refused every frappe.desk
	method.)"""
	users = {w.key: w for w in world["users"]}
	outsider = users["branch-sales"]
	loan, member = world["ana_loan"], users["borrower-a"].member
	calls = [
		(
			"frappe.desk.like.toggle_like",
			"Loan",
			loan,
			lambda n: {"doctype": "Loan", "name": n, "add": "Yes"},
		),
		(
			"frappe.desk.form.document_follow.get_follow_users",
			"Loan",
			loan,
			lambda n: {"doctype": "Loan", "doc_name": n},
		),
		(
			"frappe.desk.doctype.tag.tag.add_tag",
			"Member",
			member,
			lambda n: {"tag": "x", "dt": "Member", "dn": n},
		),
		(
			"frappe.desk.doctype.tag.tag.add_tags",
			"Member",
			member,
			lambda n: {"tags": '["x"]', "dt": "Member", "docs": json.dumps([n])},
		),
		(
			"frappe.desk.doctype.tag.tag.remove_tag",
			"Member",
			member,
			lambda n: {"tag": "x", "dt": "Member", "dn": n},
		),
	]
	for method, doctype, name, args in calls:
		theirs = outsider.api.call("POST", f"/api/method/{method}", None, json=args(name))
		missing = outsider.api.call("POST", f"/api/method/{method}", None, json=args("NO-SUCH-RECORD"))
		tally(method, doctype, outsider.key, True)
		assert theirs.status_code == missing.status_code == 404, (
			method,
			theirs.status_code,
			theirs.text[:200],
		)
		same = [
			r.text.replace(n, "?").split("__frappe_exc_id")[0]
			for r, n in ((theirs, name), (missing, "NO-SUCH-RECORD"))
		]
		assert same[0] == same[1], same
		if doctype == "Member":
			reader = users["finance"].api.call("POST", f"/api/method/{method}", None, json=args(name))
			tally(method, doctype, "finance", True)
			assert reader.status_code == 403, (method, reader.status_code, reader.text[:200])
		allowed = users["finance" if doctype == "Loan" else "sales"]
		own = allowed.api.call("POST", f"/api/method/{method}", None, json=args(name))
		tally(method, doctype, allowed.key, False)
		assert own.status_code == 200, (method, own.status_code, own.text[:200])
	assert outsider.api.user not in (admin.get("Loan", loan).get("_liked_by") or "")


def test_debug_never_returns_sql(world):
	for who in world["users"]:
		for method in (
			"frappe.client.get_list",
			"frappe.client.get_count",
			"frappe.desk.reportview.get_count",
		):
			r = get(who, f"/api/method/{method}", doctype="Loan Product", fields='["name"]', debug=1)
			tally(method + " debug", "Loan Product", who.key, True)
			assert "SELECT" not in r.text.upper() or "_debug_messages" not in r.text, r.text[:300]
		for path in ("/api/v2/document/Loan Product", "/api/v2/doctype/Loan Product/count"):
			r = get(who, path, debug=1)
			tally("/api/v2 debug", "Loan Product", who.key, True)
			assert "debug" not in r.json() and "_debug_messages" not in r.json(), r.text[:300]


def test_run_doc_method_on_a_copy_of_another_members_record(admin, world):
	"""``run_doc_method`` builds the document from the request: a copy of another member's record (with the
	caller as its user) answers as a record that does not exist, on API v1 and v2, and tells nothing of the
	stored record (Frappe's timestamp check quoted its ``modified``); no comment is added to it."""
	users = {w.key: w for w in world["users"]}
	ana = users["borrower-a"]
	ben_member = world["ben_member"]
	stored = admin.get("Member", ben_member)
	answers = {}
	for name, modified in (
		(ben_member, "2020-01-01 00:00:00"),
		(ben_member, stored["modified"]),
		("MBR-NONE-0", None),
	):
		copy = {"doctype": "Member", "name": name, "user": ana.api.user, "modified": modified}
		# the last two: a "cmd" naming another method than the path (Frappe 15 runs "cmd", a later release
		# the path) is refused as ambiguous; Frappe drops what follows a "/" in a v1 method's name
		for door, cmd in (
			("/api/method/run_doc_method", None),
			("/api/v2/method/run_doc_method", None),
			("/api/method/run_doc_method", "frappe.ping"),
			("/api/method/run_doc_method/frappe.ping", None),
		):
			if door.startswith("/api/v2"):
				body = {"json": {"method": "add_comment", "document": copy, "kwargs": {"text": "forged"}}}
			else:
				body = {
					"data": {
						"method": "add_comment",
						"docs": json.dumps(copy),
						"args": json.dumps({"text": "forged"}),
						**({"cmd": cmd} if cmd else {}),
					}
				}
			r = ana.api.s.post(URL + door, timeout=60, **body)
			tally(f"{door} (client's copy)", "Member", ana.key, name == ben_member)
			expected = 400 if cmd else 404
			assert r.status_code == expected, f"{door} {cmd} {name}: {r.status_code} {r.text[:300]}"
			assert stored["modified"] not in r.text
			answers.setdefault((door, cmd), set()).add(
				r.text.replace(name, "NAME").split("__frappe_exc_id")[0]
			)
	assert all(len(texts) == 1 for texts in answers.values()), answers  # the same answer as for no record
	comments = admin.list(
		"Comment",
		filters=json.dumps([["reference_name", "=", ben_member], ["content", "like", "%forged%"]]),
	)
	assert not comments


def test_connections_of_records_the_user_may_not_read(world):
	"""The form's connections (``linked_with.get``, ``get_submitted_linked_docs``, ``get_open_count``): refused for
	a record the user may not read; counted only over doctypes the user reads."""
	users = {w.key: w for w in world["users"]}
	loan, member = world["ana_loan"], next(w.member for w in world["users"] if w.key == "borrower-a")
	branch = users["branch-sales"]  # the first borrower is not in the agent's branch
	for method, params in (
		("frappe.desk.form.linked_with.get_submitted_linked_docs", {"doctype": "Loan", "name": loan}),
		("frappe.desk.form.linked_with.get", {"doctype": "Loan", "docname": loan}),
		("frappe.desk.notifications.get_open_count", {"doctype": "Member", "name": member}),
	):
		r = get(branch, f"/api/method/{method}", **params)
		tally(method, params["doctype"], branch.key, True)
		assert refused(r), f"{method} as {branch.key}: {r.status_code} {r.text[:300]}"
	sales = users["sales"]
	r = get(
		sales, "/api/method/frappe.desk.form.linked_with.get_submitted_linked_docs", doctype="Loan", name=loan
	)
	tally("frappe.desk.form.linked_with.get_submitted_linked_docs", "Loan", sales.key, False)
	assert r.status_code == 200 and r.json()["message"]["count"], r.text[:300]
	r = get(
		sales,
		"/api/method/frappe.desk.notifications.get_open_count",
		doctype="Member",
		name=member,
		items=json.dumps(["Reconciliation Exception", "Loan"]),
	)
	tally("frappe.desk.notifications.get_open_count", "Reconciliation Exception", sales.key, True)
	assert r.status_code == 200, r.text[:300]
	counted = {d["doctype"] for d in r.json()["message"]["count"]["external_links_found"]}
	assert counted == {"Loan"}, counted


@pytest.fixture(scope="module", autouse=True)
def figures():
	yield
	print(
		f"\npermission suite: {len(DOORS)} doors × {len(CHECKED_DOCTYPES)} doctypes × {len(CHECKED_USERS)} users;"
		f" {FIGURES['checks']} checks, {FIGURES['denials']} of them denials asserted"
	)


def test_new_session_is_anonymous():
	"""Guest has no session: every door above answered Guest as an anonymous client."""
	assert "Authorization" not in new_session().headers
