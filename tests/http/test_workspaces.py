"""Role workspaces over HTTP (Tier 2): which workspaces each role sees in the desk's sidebar (Frappe's
administration workspaces only for System Managers), what each role's workspace holds once Frappe has applied
its permissions (queues, number cards, charts), and the figures of the cards and charts compared with what the
same user reads from the lists and reports.

The desk asks the same methods: ``frappe.desk.desktop.get_workspace_sidebar_items`` (sidebar),
``frappe.desk.desktop.get_desktop_page`` (a workspace's blocks), the cards' and charts' methods.
"""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from conftest import (
	URL,
	Api,
	analysed_application,
	book_loan,
	new_session,
	verified_member,
)

CARDS = "pinjaman_online.desk.cards"
CHARTS = "pinjaman_online.desk.charts"
SIDEBAR = "frappe.desk.desktop.get_workspace_sidebar_items"
PAGE = "frappe.desk.desktop.get_desktop_page"
ADMIN_WORKSPACES = {"Users", "Website", "Tools", "Integrations", "Build"}
TODAY = dt.date.today()

# role(s) → the role workspaces they see (besides the links-only "Pinjaman Online")
EXPECTED = {
	("Sales",): {"Sales Desk"},
	("Credit Analyst",): {"Analyst Desk"},
	("Committee SPV",): {"Committee Desk"},
	("Committee Manager",): {"Committee Desk"},
	("Director",): {"Committee Desk", "Management Desk"},
	("Finance",): {"Finance Desk"},
	("Koperasi Admin",): {"Management Desk"},
	("Auditor",): {"Audit Desk"},
}
ROLE_DESKS = {"Sales Desk", "Analyst Desk", "Committee Desk", "Finance Desk", "Management Desk", "Audit Desk"}


def first_of_next_month(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def money(value) -> Decimal:
	return Decimal(str(value or 0))


@pytest.fixture(scope="module")
def users(make_user):
	return {roles: make_user("ws-" + roles[0].split()[-1].lower(), *roles) for roles in EXPECTED}


@pytest.fixture(scope="module")
def product(staff):
	return staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Workspace HTTP {uuid.uuid4().hex[:6]}",
			"min_principal": 1_000_000,
			"max_principal": 200_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 120,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
		},
	)["name"]


@pytest.fixture(scope="module")
def loan(staff, product):
	"""A disbursed loan, so that this month's disbursement and the portfolio are not empty."""
	return book_loan(staff, product, 12_000_000, 12, first_of_next_month(TODAY))


def sidebar(api) -> set[str]:
	return {p["name"] for p in api.method(SIDEBAR, verb="GET")["pages"]}


def page(api, name: str) -> dict:
	return api.method(PAGE, page=json.dumps({"name": name, "title": name, "public": 1}))


def labels(page_data: dict, block: str) -> set[str]:
	key = {"number_cards": "number_card_name", "charts": "chart_name"}.get(block)
	return {i[key] if key else i["label"] for i in page_data[block]["items"]}


@pytest.mark.parametrize("roles", list(EXPECTED), ids=["+".join(r) for r in EXPECTED])
def test_each_role_sees_its_workspace_and_no_admin_workspace(users, roles):
	seen = sidebar(users[roles])
	assert seen & ROLE_DESKS == EXPECTED[roles], f"{roles}: {sorted(seen)}"
	assert "Pinjaman Online" in seen
	assert not seen & ADMIN_WORKSPACES, (
		f"{roles} sees Frappe's admin workspaces {sorted(seen & ADMIN_WORKSPACES)}"
	)


def test_system_manager_keeps_frappe_workspaces(make_user):
	seen = sidebar(make_user("ws-sysman", "System Manager"))
	assert ADMIN_WORKSPACES <= seen, sorted(seen)


def test_role_workspace_comes_first_in_the_sidebar(users):
	"""The desk opens the first workspace of the sidebar: a role's own, before the links-only one."""
	pages = [p["name"] for p in users[("Finance",)].method(SIDEBAR, verb="GET")["pages"]]
	assert pages[0] == "Finance Desk", pages


def test_finance_workspace_queue_cards_and_charts(users):
	data = page(users[("Finance",)], "Finance Desk")
	assert {
		"Loans to Disburse",
		"Overdue Loans to Collect",
		"Open Reconciliation Exceptions",
		"Refunds to Pay",
		"Imports Not Finished",
	} <= labels(data, "shortcuts")
	assert labels(data, "number_cards") == {
		"Disbursed This Month",
		"Collected This Month",
		"Outstanding Portfolio",
	}
	assert labels(data, "charts") == {"Pension Deductions Billed vs Collected", "Disbursements by Month"}


def test_cards_and_charts_follow_read_permission(users):
	"""Management Desk: the Director reads no reconciliation exception nor pension cut export, so Frappe leaves
	out that queue and the billing chart; the Koperasi Admin, who reads them, gets both."""
	director = page(users[("Director",)], "Management Desk")
	admin = page(users[("Koperasi Admin",)], "Management Desk")
	assert "Open Reconciliation Exceptions" not in labels(director, "shortcuts")
	assert "Pension Deductions Billed vs Collected" not in labels(director, "charts")
	assert "Open Reconciliation Exceptions" in labels(admin, "shortcuts")
	assert "Pension Deductions Billed vs Collected" in labels(admin, "charts")
	for data in (director, admin):
		assert {"Awaiting My Decision", "Outstanding Portfolio", "NPL Ratio"} <= labels(data, "number_cards")
		assert {"Outstanding by Days Past Due", "Funder Exposure"} <= labels(data, "charts")


def test_methods_refuse_who_cannot_read(users, guest):
	users[("Sales",)].method(f"{CHARTS}.funder_exposure", expect=403)
	users[("Credit Analyst",)].method(f"{CHARTS}.billed_vs_collected", expect=403)
	users[("Sales",)].method(f"{CARDS}.collected_this_month")  # Sales reads payments
	guest.method(f"{CARDS}.outstanding_portfolio", expect=403)


def test_money_cards_match_the_lists(admin, loan):
	start = TODAY.replace(day=1)
	end = first_of_next_month(TODAY) - dt.timedelta(days=1)
	disbursements = admin.list(
		"Loan Disbursement",
		filters=json.dumps([["docstatus", "=", 1], ["disbursement_date", "between", [str(start), str(end)]]]),
		fields='["amount"]',
		limit_page_length=0,
	)
	card = admin.method(f"{CARDS}.disbursed_this_month")
	assert card["value"] == int(sum(money(d["amount"]) for d in disbursements)) > 0
	assert card["fieldtype"] == "Currency" and isinstance(card["value"], int)
	assert card["route"] == ["List", "Loan Disbursement"]

	loans = admin.list(
		"Loan",
		filters=json.dumps([["status", "in", ["Active", "Default"]]]),
		fields='["outstanding_principal"]',
		limit_page_length=0,
	)
	card = admin.method(f"{CARDS}.outstanding_portfolio")
	assert card["value"] == int(sum(money(r["outstanding_principal"]) for r in loans)) > 0
	assert 0 <= card["precision"] <= 2


def test_npl_card_matches_loan_quality_report(admin, loan):
	card = admin.method(f"{CARDS}.npl_ratio")
	report = admin.method(
		"frappe.desk.query_report.run", verb="GET", report_name="Loan Quality", filters="{}"
	)
	npl = next(s for s in report["report_summary"] if s["label"] in ("NPL ratio", "Rasio NPL"))
	assert Decimal(str(card["value"])) == Decimal(str(npl["value"])) and npl["datatype"] == "Percent"
	assert card["fieldtype"] == "Percent"


def test_charts_match_the_lists(admin, loan):
	by_state = admin.method(f"{CHARTS}.applications_by_state")
	apps = admin.list(
		"Loan Application",
		filters=json.dumps([["docstatus", "<", 2]]),
		fields='["workflow_state", "count(name) as n"]',
		group_by="workflow_state",
		limit_page_length=0,
	)
	assert sum(by_state["datasets"][0]["values"]) == sum(a["n"] for a in apps)

	dpd = admin.method(f"{CHARTS}.outstanding_by_dpd")
	assert len(dpd["labels"]) == 4
	loans = admin.list(
		"Loan",
		filters=json.dumps([["status", "in", ["Active", "Default"]]]),
		fields='["outstanding_principal"]',
		limit_page_length=0,
	)
	total = sum(money(r["outstanding_principal"]) for r in loans) / 1_000_000
	assert abs(Decimal(str(sum(dpd["datasets"][0]["values"]))) - total) <= Decimal("0.2")

	months = admin.method(f"{CHARTS}.disbursed_by_month")
	assert len(months["labels"]) == 12
	assert months["datasets"][0]["values"][-1] > 0

	billing = admin.method(f"{CHARTS}.billed_vs_collected", filters=json.dumps({"period": "2001-01"}))
	assert [d["values"] for d in billing["datasets"]] == [[0, 0], [0, 0]]
	admin.method(f"{CHARTS}.billed_vs_collected", filters=json.dumps({"period": "2001-13"}), expect=417)


def test_chart_labels_in_the_users_language(make_user, admin):
	"""The desk's session of a user whose language is Indonesian (a token request takes the site's)."""
	email = make_user("ws-id", "Koperasi Admin").user
	password = f"Ws#{uuid.uuid4().hex[:12]}"
	admin.update("User", email, {"language": "id", "new_password": password})
	session = new_session()
	r = session.post(URL + "/api/method/login", json={"usr": email, "pwd": password}, timeout=60)
	assert r.status_code == 200, r.text
	user = Api(session, email)
	dpd = user.method(f"{CHARTS}.outstanding_by_dpd")
	assert dpd["labels"] == ["0-30", "31-60", "61-90", ">90"]
	states = user.method(f"{CHARTS}.applications_by_state")
	assert states["datasets"][0]["name"] == "Pengajuan"
	assert dpd["datasets"][0]["name"] == "Sisa pokok"


def _to_committee(staff, product) -> str:
	"""A new application taken to the Committee SPV state by sales and the analyst."""
	member = verified_member(
		staff, full_name="Wartini Susanto", birth=dt.date(1957, 2, 11), female=True, pension_fund="Taspen"
	)
	return analysed_application(
		staff, product, 10_000_000, 12, member=member["name"], first_due_date=str(first_of_next_month(TODAY))
	)


def test_awaiting_my_decision_follows_level_and_votes(staff, product, make_user):
	"""SPV level first; after the SPV's vote, the Manager's; a user holding both roles who voted as SPV does
	not see it again at the Manager level (one vote per person); the creator never sees it."""
	app = _to_committee(staff, product)
	spv_only = make_user("ws-spv", "Committee SPV")
	manager = staff["manager"]
	both = staff["spv"]  # Committee SPV + Committee Manager

	def queue(api) -> tuple[int, list[str]]:
		card = api.method(f"{CARDS}.awaiting_my_decision")
		if not card["value"]:
			return 0, []
		assert "name" in card["route_options"], f"more than 200 applications wait for {api.user}"
		return card["value"], card["route_options"]["name"][1]

	count, names = queue(spv_only)
	assert app in names and count >= 1
	assert app in queue(both)[1]
	assert app not in queue(manager)[1]
	card = spv_only.method(f"{CARDS}.awaiting_my_decision")
	assert card["route"] == ["List", "Loan Application"]
	assert card["route_options"]["workflow_state"] == ["in", ["Committee SPV"]]

	both.method("pinjaman_online.api.origination.decide", application=app, decision="approve")
	assert app not in queue(spv_only)[1]
	assert app in queue(manager)[1]
	assert app not in queue(both)[1], "who voted as SPV is asked again as Manager"
	assert app not in queue(staff["sales"])[1]
