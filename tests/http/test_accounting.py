"""Accounting reports and the journal export over HTTP: readable by the accounting roles only (Finance, Auditor,
Director, Koperasi Admin), refused (403) to Sales and to borrowers (a registered borrower with a verified
phone); the export is a CSV download."""

import csv
import datetime as dt
import io
import json

import pytest
from conftest import URL
from test_mobile import bearer, registered

REPORTS = ("Trial Balance", "General Ledger", "Balance Sheet", "Income Statement", "Ledger vs Loans")
EXPORT = "/api/method/pinjaman_online.api.accounting.export_journal"
PROVISION = "/api/method/pinjaman_online.api.accounting.run_provisioning"
TODAY = dt.date.today()
MONTH = {"from_date": str(TODAY.replace(day=1)), "to_date": str(TODAY)}


@pytest.fixture(scope="module")
def people(make_user, guest, sms):
	borrower = registered(guest, sms)
	return {
		"finance": make_user("acc-finance", "Finance"),
		"auditor": make_user("acc-auditor", "Auditor"),
		"director": make_user("acc-director", "Director"),
		"kopadmin": make_user("acc-kopadmin", "Koperasi Admin"),
		"sales": make_user("acc-sales", "Sales"),
		"member": bearer(borrower["tokens"]["access_token"]),
	}


def run(api, report: str):
	return api.s.get(
		URL + "/api/method/frappe.desk.query_report.run",
		params={"report_name": report, "filters": json.dumps(MONTH)},
		timeout=60,
	)


@pytest.mark.parametrize("report", REPORTS)
def test_reports_for_the_accounting_roles_only(people, report):
	for key in ("finance", "auditor", "director", "kopadmin"):
		r = run(people[key], report)
		assert r.status_code == 200, f"{report} as {key}: {r.status_code} {r.text[:300]}"
		assert r.json()["message"]["result"], f"{report} as {key}: no rows"
	for key in ("sales", "member"):
		r = run(people[key], report)
		assert r.status_code == 403, f"{report} as {key}: {r.status_code} {r.text[:300]}"


def test_balance_sheet_and_trial_balance_balance(people):
	sheet = run(people["auditor"], "Balance Sheet").json()["message"]
	difference = next(s["value"] for s in sheet["report_summary"] if s["label"] == "Difference")
	assert float(difference) == 0, sheet["report_summary"]
	tb = run(people["auditor"], "Trial Balance").json()["message"]["result"]
	total = tb[-1]
	assert total["debit"] == total["credit"] and total["closing_debit"] == total["closing_credit"], total


def test_journal_export_is_a_csv_download_for_the_accounting_roles(people):
	r = people["finance"].s.get(URL + EXPORT, params=MONTH, timeout=60)
	assert r.status_code == 200, r.text[:300]
	assert r.headers["Content-Type"].startswith("text/csv"), r.headers
	assert "attachment" in r.headers.get("Content-Disposition", ""), r.headers
	rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
	assert rows[0][:6] == ["journal_no", "posting_date", "account_number", "account_name", "debit", "credit"]
	debit = sum(int(row[4]) for row in rows[1:])
	credit = sum(int(row[5]) for row in rows[1:])
	assert debit == credit, (debit, credit)
	for key in ("sales", "member"):
		r = people[key].s.get(URL + EXPORT, params=MONTH, timeout=60)
		assert r.status_code == 403, f"export as {key}: {r.status_code} {r.text[:300]}"
	r = people["finance"].s.get(
		URL + EXPORT, params={"from_date": "2026-12-31", "to_date": "2026-01-01"}, timeout=60
	)
	assert r.status_code == 417, r.text[:300]
	r = people["finance"].s.get(URL + EXPORT, params={"from_date": "31/12/2026"}, timeout=60)
	assert 400 <= r.status_code < 500, r.text[:300]


def test_provisioning_action_for_finance_and_koperasi_admin_only(people):
	for key in ("sales", "auditor", "member"):
		r = people[key].s.post(URL + PROVISION, json={}, timeout=60)
		assert r.status_code == 403, f"provisioning as {key}: {r.status_code} {r.text[:300]}"


def test_finance_closes_a_month_and_only_a_koperasi_admin_reopens_it(people, admin):
	settings = admin.get("Accounting Settings", "Accounting Settings")
	before = settings.get("books_closed_until")
	start = (
		(dt.date.fromisoformat(before) + dt.timedelta(days=1)).replace(day=1)
		if before
		else dt.date(2001, 1, 1)
	)
	period = start.strftime("%Y-%m")
	close = people["finance"].insert("Accounting Period Close", {"period": period, "docstatus": 1})
	try:
		assert close["docstatus"] == 1 and close["closing_date"] >= str(start), close
		after = admin.get("Accounting Settings", "Accounting Settings")["books_closed_until"]
		assert after == close["closing_date"], after
		r = people["finance"].s.post(
			URL + "/api/method/frappe.client.cancel",
			json={"doctype": "Accounting Period Close", "name": close["name"]},
			timeout=60,
		)
		assert r.status_code == 403, r.text[:300]
		r = people["finance"].s.put(
			URL + "/api/resource/Accounting Settings/Accounting Settings",
			json={"books_closed_until": None},
			timeout=60,
		)
		assert 400 <= r.status_code < 500, r.text[:300]
	finally:
		r = people["kopadmin"].s.post(
			URL + "/api/method/frappe.client.cancel",
			json={"doctype": "Accounting Period Close", "name": close["name"]},
			timeout=60,
		)
		assert r.status_code == 200, r.text[:300]
	assert admin.get("Accounting Settings", "Accounting Settings").get("books_closed_until") == before
