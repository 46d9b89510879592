"""Accounting reports on journals posted through the posting module: exact figures, the period close, the
allowance for losses, the journal export and who may read them."""

import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, get_last_day, getdate, today

from pinjaman_online.accounting import posting
from pinjaman_online.accounting.doctype.accounting_period_close.accounting_period_close import closed_until
from pinjaman_online.accounting.provisioning import booked_allowance, exposures, run_provisioning
from pinjaman_online.accounting.report.balance_sheet.balance_sheet import execute as balance_sheet
from pinjaman_online.accounting.report.general_ledger.general_ledger import execute as general_ledger
from pinjaman_online.accounting.report.income_statement.income_statement import execute as income_statement
from pinjaman_online.accounting.report.ledger_vs_loans.ledger_vs_loans import execute as ledger_vs_loans
from pinjaman_online.accounting.report.trial_balance.trial_balance import execute as trial_balance
from pinjaman_online.api.accounting import export_journal, journal_csv
from pinjaman_online.lending.ledger import cr, dr
from pinjaman_online.lending.provisioning import required_allowance
from pinjaman_online.lending.statements import JOURNAL_EXPORT_COLUMNS, journal_export_row
from pinjaman_online.tests.factories import as_user, make_active_loan

D = Decimal


def unused_month() -> date:
	"""The first day of a far-future month that no other test posts in (so its movements are ours alone)."""
	return date(2200 + random.randrange(700), random.randrange(1, 13), 1)


def account_of(role: str) -> str:
	return posting.settings()["mapping"][role]


def summary_value(result, label: str):
	return next(s["value"] for s in result[4] if s["label"] == label)


def post_sample(start: date, voucher: str) -> None:
	"""Three journals in the month of ``start``: capital paid in 1,000,000 cash; interest 60,000 received;
	an allowance of 4,500 formed."""
	args = ("Accounting Period Close", voucher)
	posting.post_journal(
		"Manual", start, [dr("bank_cash", 1_000_000), cr("opening_equity", 1_000_000)], *args
	)
	posting.post_journal(
		"Manual", start + timedelta(days=1), [dr("bank_cash", 60_000), cr("interest_income", 60_000)], *args
	)
	posting.post_journal(
		"Provision",
		start + timedelta(days=2),
		[dr("provision_expense", 4_500), cr("allowance_for_losses", 4_500)],
		*args,
	)


class TestStatements(FrappeTestCase):
	def setUp(self):
		self.start = unused_month()
		self.end = get_last_day(self.start)
		self.voucher = f"TEST-{frappe.generate_hash(length=10)}"
		post_sample(self.start, self.voucher)

	def test_trial_balance_debits_equal_credits_and_the_month_is_exactly_ours(self):
		columns, data, _message, _chart, summary = trial_balance(
			{"from_date": self.start, "to_date": self.end}
		)
		total = data[-1]
		self.assertEqual(total["debit"], D(1_064_500))
		self.assertEqual(total["credit"], D(1_064_500))
		self.assertEqual(total["opening_debit"], total["opening_credit"])
		self.assertEqual(total["closing_debit"], total["closing_credit"])
		self.assertEqual(summary_value((columns, data, None, None, summary), "Debits = Credits"), "Yes")
		bank = next(r for r in data if r.get("account") == account_of("bank_cash"))
		self.assertEqual((bank["debit"], bank["credit"]), (D(1_060_000), D(0)))
		self.assertEqual(
			bank["closing_debit"] - bank["closing_credit"],
			bank["opening_debit"] - bank["opening_credit"] + D(1_060_000),
		)

	def test_income_statement_shu_of_the_month(self):
		result = income_statement({"from_date": self.start, "to_date": self.end})
		self.assertEqual(summary_value(result, "Income"), D(60_000))
		self.assertEqual(summary_value(result, "Expenses"), D(4_500))
		self.assertEqual(summary_value(result, "Sisa Hasil Usaha (SHU)"), D(55_500))
		self.assertEqual(result[1][-1]["amount"], D(55_500))

	def test_balance_sheet_balances_with_shu_and_moves_by_our_journals(self):
		before = balance_sheet({"as_of_date": add_days(self.start, -1)})
		after = balance_sheet({"as_of_date": self.end})
		for result in (before, after):
			self.assertEqual(summary_value(result, "Difference"), 0)
		self.assertEqual(
			summary_value(after, "Total Assets") - summary_value(before, "Total Assets"), D(1_060_000 - 4_500)
		)
		self.assertEqual(
			summary_value(after, "Liabilities + Equity + SHU")
			- summary_value(before, "Liabilities + Equity + SHU"),
			D(1_055_500),
		)

	def test_general_ledger_per_account_with_opening_and_closing(self):
		bank = account_of("bank_cash")
		result = general_ledger({"from_date": self.start, "to_date": self.end, "account": bank})
		data = result[1]
		opening, closing = data[0]["balance"], data[-1]["balance"]
		rows = [r for r in data if r.get("journal_no")]
		self.assertEqual([(r["debit"], r["credit"]) for r in rows], [(D(1_000_000), 0), (D(60_000), 0)])
		self.assertEqual(closing, opening + D(1_060_000))
		self.assertEqual(rows[-1]["balance"], closing)
		by_voucher = general_ledger(
			{"from_date": self.start, "to_date": self.end, "voucher_no": self.voucher}
		)[1]
		self.assertEqual(len([r for r in by_voucher if r.get("journal_no")]), 6)
		self.assertEqual((by_voucher[0]["balance"], by_voucher[-1]["balance"]), (D(0), D(0)))

	def test_journal_export_csv(self):
		text = journal_csv(self.start, self.end)
		rows = list(csv.reader(io.StringIO(text)))
		self.assertEqual(tuple(rows[0]), JOURNAL_EXPORT_COLUMNS)
		ours = [
			dict(zip(rows[0], r, strict=True))
			for r in rows[1:]
			if r[JOURNAL_EXPORT_COLUMNS.index("voucher_no")] == self.voucher
		]
		self.assertEqual(len(ours), 6)
		self.assertEqual(sum(int(r["debit"]) for r in ours), 1_064_500)
		self.assertEqual(sum(int(r["credit"]) for r in ours), 1_064_500)
		self.assertEqual(ours[0]["posting_date"], str(self.start))
		self.assertEqual(ours[0]["account_number"], account_of("bank_cash"))
		self.assertTrue(ours[0]["account_name"])
		entries = frappe.db.sql(
			"""select e.journal_no, e.posting_date, e.account as account_number, a.account_name, e.debit,
				e.credit, e.event, e.voucher_type, e.voucher_no, e.loan, e.member, e.is_reversal, e.reversal_of,
				e.remarks
			from `tabLedger Entry` e join `tabLedger Account` a on a.name = e.account
			where e.voucher_no = %s order by e.posting_date, e.journal_no, e.creation, e.name""",
			self.voucher,
			as_dict=True,
		)
		self.assertEqual([list(r.values()) for r in ours], [journal_export_row(e) for e in entries])
		export_journal(from_date=str(self.start), to_date=str(self.end))
		self.assertEqual(frappe.response["type"], "download")
		self.assertEqual(frappe.response["filecontent"].decode(), text)

	def test_only_the_accounting_roles_read_the_reports(self):
		filters = {"from_date": self.start, "to_date": self.end}
		for report in (trial_balance, general_ledger, balance_sheet, income_statement, ledger_vs_loans):
			with as_user("sales"):
				self.assertRaises(frappe.PermissionError, report, filters)
			with as_user("finance"):
				report(filters)
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, export_journal, str(self.start), str(self.end))


class TestLedgerVsLoans(FrappeTestCase):
	def test_zero_for_a_loan_with_its_journals_and_the_change_without_a_journal_shows(self):
		loan = make_active_loan()
		posting.post_opening(loan.name)  # nothing when the disbursement posted its journal
		row = self.row(loan.name)
		self.assertEqual(row["loans"], D(str(loan.outstanding_principal)))
		self.assertEqual(row["difference"], 0)
		frappe.db.set_value("Loan", loan.name, "outstanding_principal", loan.outstanding_principal - 1000)
		try:
			row = self.row(loan.name)
			self.assertEqual(row["difference"], D(1000))
			result = ledger_vs_loans({"as_of_date": today(), "only_differences": 1})
			self.assertIn(loan.name, [r.get("loan") for r in result[1]])
			total = result[1][-1]
			self.assertEqual(
				total["difference"],
				total["ledger"]
				- total["loans"]
				+ total["interest_ledger"]
				- total["interest_loans"]
				+ total["penalty_ledger"]
				- total["penalty_loans"],
			)
			self.assertGreaterEqual(result[4][-1]["value"], 1)
		finally:
			frappe.db.set_value("Loan", loan.name, "outstanding_principal", loan.outstanding_principal)
		self.assertEqual(self.row(loan.name)["difference"], 0)

	def test_an_earlier_date_is_recomputed_from_the_documents(self):
		from pinjaman_online.api.servicing import pay

		loan = make_active_loan(disbursement_date=add_days(today(), -40))
		principal = D(str(loan.principal))
		with as_user("finance"):
			paid = pay(loan.name, "700000", posting_date=add_days(today(), -10), payment_method="Cash")
		principal_paid = sum(D(str(a["principal"])) for a in paid["allocations"])
		self.assertGreater(principal_paid, 0)
		for days_ago, expected in ((41, None), (20, principal), (5, principal - principal_paid)):
			rows = ledger_vs_loans({"as_of_date": add_days(today(), -days_ago)})[1]
			row = next((r for r in rows if r.get("loan") == loan.name), None)
			if expected is None:
				self.assertIsNone(row)
				continue
			self.assertEqual((row["loans"], row["ledger"], row["difference"]), (expected, expected, 0))

	def row(self, loan: str) -> dict:
		return next(r for r in ledger_vs_loans({"as_of_date": today()})[1] if r.get("loan") == loan)


class TestPeriodClose(FrappeTestCase):
	def test_a_closed_month_refuses_back_dated_posting_until_reopened(self):
		before = closed_until()
		start = getdate(add_days(get_last_day(before), 1)) if before else date(2001, 1, 1)
		self.assertLess(get_last_day(start), getdate(today()))
		period = start.strftime("%Y-%m")
		lines = [dr("bank_cash", 1000), cr("opening_equity", 1000)]
		with as_user("finance"):
			close = frappe.get_doc({"doctype": "Accounting Period Close", "period": period}).insert()
			close.submit()
		try:
			self.assertEqual(closed_until(), get_last_day(start))
			self.assertEqual(
				getdate(close.previous_closed_until) if close.previous_closed_until else None, before
			)
			with self.assertRaises(posting.PeriodClosedError):
				posting.post_journal(
					"Manual", get_last_day(start), lines, "Accounting Period Close", close.name
				)
			again = frappe.get_doc({"doctype": "Accounting Period Close", "period": period}).insert()
			self.assertRaises(frappe.ValidationError, again.submit)
			with as_user("finance"):
				self.assertRaises(frappe.PermissionError, frappe.get_doc(close.doctype, close.name).cancel)
		finally:
			with as_user("admin"):
				frappe.get_doc(close.doctype, close.name).cancel()
		self.assertEqual(closed_until(), before)
		posting.post_journal("Manual", get_last_day(start), lines, "Accounting Period Close", close.name)
		posting.post_journal(
			"Manual",
			get_last_day(start),
			[dr("opening_equity", 1000), cr("bank_cash", 1000)],
			"Accounting Period Close",
			close.name,
		)

	def test_the_settings_do_not_move_the_closing_date(self):
		settings = frappe.get_doc("Accounting Settings")
		settings.books_closed_until = today()
		self.assertRaises(frappe.ValidationError, settings.save)
		self.assertNotEqual(closed_until(), getdate(today()))

	def test_the_current_month_cannot_be_closed(self):
		doc = frappe.get_doc({"doctype": "Accounting Period Close", "period": today()[:7]})
		self.assertRaises(frappe.ValidationError, doc.insert)


class TestProvisioning(FrappeTestCase):
	def test_the_allowance_reaches_the_required_level_once(self):
		make_active_loan()
		at = unused_month()
		required = required_allowance(exposures()).total
		booked = booked_allowance(at)
		first = run_provisioning(at)
		self.assertEqual(first["required"], required)
		self.assertEqual(first["adjustment"], required - booked)
		self.assertEqual(booked_allowance(at), required)
		self.assertEqual(bool(first["journal_no"]), required != booked)
		second = run_provisioning(at)
		self.assertEqual((second["adjustment"], second["journal_no"]), (0, None))
		# more allowance booked than required: the next run releases the excess
		posting.post_journal(
			"Provision", at, [dr("provision_expense", 1000), cr("allowance_for_losses", 1000)], "Loan", "x"
		)
		release = run_provisioning(at)
		self.assertEqual(release["adjustment"], -1000)
		lines = frappe.get_all(
			"Ledger Entry",
			filters={"journal_no": release["journal_no"]},
			fields=["account", "debit", "credit"],
		)
		self.assertEqual(
			{(r.account, D(str(r.debit)), D(str(r.credit))) for r in lines},
			{
				(account_of("allowance_for_losses"), D(1000), D(0)),
				(account_of("provision_expense"), D(0), D(1000)),
			},
		)
		self.assertEqual(booked_allowance(at), required)
		doc = frappe.get_doc("Loan Loss Provision", first["name"])
		self.assertEqual(
			sum(D(str(doc.get(f"kol_{k}_allowance"))) for k in range(1, 6)), D(str(doc.required_allowance))
		)
		with as_user("sales"):
			from pinjaman_online.api.accounting import run_provisioning as api_run

			self.assertRaises(frappe.PermissionError, api_run)
