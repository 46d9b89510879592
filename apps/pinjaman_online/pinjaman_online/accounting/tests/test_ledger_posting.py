"""Every money path posts exactly one balanced journal in the event's transaction; reversals post the mirror;
the period lock refuses back-dated posting; ledger entries cannot be written through any door."""

from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.accounting.posting import (
	PeriodClosedError,
	PostingError,
	post_journal,
	post_opening,
	reverse_journals,
)
from pinjaman_online.api.servicing import pay, penalize, reverse_payment, settle
from pinjaman_online.lending.ledger import JournalLine
from pinjaman_online.tests.factories import (
	as_user,
	free_period,
	make_active_loan,
	make_billable_loans_fast,
	make_product,
)

D = Decimal


def journals(voucher_type: str, voucher_no: str) -> dict[str, list]:
	"""journal_no -> its rows, for a voucher."""
	out = {}
	for row in frappe.get_all(
		"Ledger Entry",
		filters={"voucher_type": voucher_type, "voucher_no": voucher_no},
		fields=["journal_no", "account", "debit", "credit", "event", "is_reversal", "reversal_of", "loan"],
		order_by="journal_no, idx",
	):
		out.setdefault(row.journal_no, []).append(row)
	return out


def by_role(rows) -> dict[str, D]:
	"""Signed balance (debit − credit) per account role of the default mapping."""
	roles = {
		r.account: r.account_role
		for r in frappe.get_all(
			"Ledger Account Mapping",
			filters={"parenttype": "Accounting Settings"},
			fields=["account_role", "account"],
		)
	}
	out = {}
	for row in rows:
		key = roles.get(row.account, row.account)
		out[key] = out.get(key, D(0)) + D(str(row.debit)) - D(str(row.credit))
	return {k: v for k, v in out.items() if v}


def assert_balanced(testcase, rows):
	testcase.assertTrue(rows)
	testcase.assertEqual(sum(D(str(r.debit)) for r in rows), sum(D(str(r.credit)) for r in rows))
	for r in rows:
		testcase.assertTrue(bool(r.debit) != bool(r.credit), r)


class LedgerTestCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("Accounting Settings", "books_closed_until", None)

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.set_single_value("Accounting Settings", "books_closed_until", None)


class TestMoneyPathsPost(LedgerTestCase):
	def test_chart_and_mapping_are_installed(self):
		self.assertTrue(frappe.db.exists("Ledger Account", "1131"))
		self.assertEqual(frappe.db.get_value("Ledger Account", "1131", "root_type"), "Asset")
		mapped = frappe.get_all(
			"Ledger Account Mapping", filters={"parenttype": "Accounting Settings"}, pluck="account_role"
		)
		self.assertIn("loan_principal_receivable", mapped)
		self.assertEqual(len(mapped), len(set(mapped)))

	def test_disbursement_posts_one_journal_and_its_cancel_the_mirror(self):
		loan = make_active_loan(principal=10_000_000, tenor_months=12)
		disbursement = frappe.get_value("Loan Disbursement", {"loan": loan.name, "docstatus": 1}, "name")
		posted = journals("Loan Disbursement", disbursement)
		self.assertEqual(len(posted), 1)
		rows = next(iter(posted.values()))
		assert_balanced(self, rows)
		self.assertEqual({r.event for r in rows}, {"Disbursement"})
		figures = by_role(rows)
		self.assertEqual(figures["loan_principal_receivable"], D(10_000_000))
		self.assertEqual(-figures["disbursement_bank"], D(str(loan.net_disbursement)))
		self.assertEqual(-figures.get("fee_income", D(0)), D(10_000_000) - D(str(loan.net_disbursement)))

		doc = frappe.get_doc("Loan Disbursement", disbursement)
		doc.flags.ignore_permissions = True
		doc.cancel()
		posted = journals("Loan Disbursement", disbursement)
		self.assertEqual(len(posted), 2)
		reversal = [rows for rows in posted.values() if rows[0].is_reversal]
		self.assertEqual(len(reversal), 1)
		self.assertEqual(
			reversal[0][0].reversal_of, next(n for n, r in posted.items() if not r[0].is_reversal)
		)
		self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})

	def test_payment_posts_one_journal_and_its_reversal_the_mirror(self):
		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		with as_user("finance"):
			result = pay(loan.name, "1500000", payment_method="Cash")
		payment = frappe.get_doc("Loan Payment", result["name"])
		posted = journals("Loan Payment", payment.name)
		self.assertEqual(len(posted), 1)
		rows = next(iter(posted.values()))
		assert_balanced(self, rows)
		figures = by_role(rows)
		self.assertEqual(figures["bank_cash"], D(1_500_000))
		self.assertEqual(-figures["loan_principal_receivable"], D(str(payment.total_principal)))
		self.assertEqual(-figures.get("interest_income", D(0)), D(str(payment.total_interest)))

		with as_user("finance"):
			reverse_payment(payment.name, "wrong loan")
		posted = journals("Loan Payment", payment.name)
		self.assertEqual(len(posted), 2)
		self.assertEqual(sum(1 for rows in posted.values() if rows[0].is_reversal), 1)
		self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})
		# a second reversal call finds nothing left to reverse
		self.assertEqual(reverse_journals("Loan Payment", payment.name), [])

	def test_pension_deduction_goes_to_the_funds_clearing_account(self):
		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		with as_user("finance"):
			result = pay(loan.name, "500000", payment_method="Pension Deduction")
		rows = next(iter(journals("Loan Payment", result["name"]).values()))
		fund = frappe.db.get_value("Loan", loan.name, "pension_fund") or frappe.db.get_value(
			"Member", loan.member, "pension_fund"
		)
		self.assertEqual(by_role(rows)[f"clearing_{fund.lower()}"], D(500_000))

	def test_settlement_posts_one_journal_with_the_fee_as_fee_income(self):
		product = make_product(early_settlement_penalty=2)
		loan = make_active_loan(disbursement_date=add_months(today(), -2), product=product)
		with as_user("finance"):
			result = settle(loan.name)
		settlement = frappe.get_doc("Loan Settlement", result["name"])
		posted = journals("Loan Payment", settlement.loan_payment)
		self.assertEqual(len(posted), 1)
		rows = next(iter(posted.values()))
		assert_balanced(self, rows)
		self.assertEqual({r.event for r in rows}, {"Settlement"})
		figures = by_role(rows)
		self.assertEqual(figures["clearing_bank_transfer"], D(str(settlement.total_amount)))
		self.assertEqual(-figures.get("fee_income", D(0)), D(str(settlement.early_settlement_fee)))
		# the loan's principal receivable is cleared: disbursement − payoff principal = 0
		all_rows = frappe.get_all(
			"Ledger Entry", filters={"loan": loan.name}, fields=["account", "debit", "credit"]
		)
		self.assertNotIn("loan_principal_receivable", by_role(all_rows))

		settlement.flags.ignore_permissions = True
		settlement.cancel()
		posted = journals("Loan Payment", settlement.loan_payment)
		self.assertEqual(len(posted), 2)
		self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})

	def test_manual_penalty_posts_only_on_accrual_basis(self):
		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		with as_user("finance"):
			cash = penalize(loan.name, "25000", "late")
		self.assertEqual(journals("Loan Penalty", cash["name"]), {})

		frappe.db.set_value("Loan Product", loan.loan_product, "accounting_basis", "Accrual")
		with as_user("finance"):
			accrual = penalize(loan.name, "30000", "late again")
		posted = journals("Loan Penalty", accrual["name"])
		self.assertEqual(len(posted), 1)
		self.assertEqual(
			by_role(next(iter(posted.values()))),
			{"penalty_receivable": D(30_000), "penalty_income": D(-30_000)},
		)
		frappe.db.set_value("Loan Product", loan.loan_product, "accounting_basis", None)

	def test_bulk_payments_post_one_journal_each_and_bulk_cancel_the_mirrors(self):
		from pinjaman_online.servicing.bulk import PaymentItem, cancel_payments, post_payments

		loans = make_billable_loans_fast(free_period(), 3, pension_fund="Asabri")
		items = [
			PaymentItem(f"ledger-test-{frappe.generate_hash(length=8)}", loan, D(1_180_000), getdate())
			for loan in loans
		]
		results = post_payments(items)
		names = [r.payment for r in results]
		self.assertTrue(all(names), results)
		for name in names:
			posted = journals("Loan Payment", name)
			self.assertEqual(len(posted), 1)
			rows = next(iter(posted.values()))
			assert_balanced(self, rows)
			self.assertEqual(by_role(rows)["clearing_asabri"], D(1_180_000))
		cancel_payments(names)
		for name in names:
			posted = journals("Loan Payment", name)
			self.assertEqual(len(posted), 2)
			self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})


class TestSameTransaction(LedgerTestCase):
	def test_a_failure_after_posting_leaves_neither_journal_nor_payment(self):
		from pinjaman_online.servicing.doctype.loan_payment import loan_payment

		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		posted = []

		def post_then_fail(doc):
			posted.append(original(doc))
			raise frappe.ValidationError("a later step failed")

		original = loan_payment.post_payment
		frappe.db.savepoint("before_payment")
		with (
			patch.object(loan_payment, "post_payment", post_then_fail),
			self.assertRaises(frappe.ValidationError),
			as_user("finance"),
		):
			pay(loan.name, "700000", payment_method="Cash")
		frappe.db.rollback(save_point="before_payment")
		self.assertEqual(len(posted), 1)  # the journal was written before the failure…
		self.assertFalse(frappe.db.exists("Ledger Entry", {"journal_no": posted[0]}))  # …and is gone
		self.assertFalse(frappe.db.exists("Loan Payment", {"loan": loan.name}))


class TestPeriodLockAndRules(LedgerTestCase):
	def test_closed_period_refuses_back_dated_posting(self):
		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		frappe.db.set_single_value("Accounting Settings", "books_closed_until", add_days(today(), -1))
		with self.assertRaises(PeriodClosedError), as_user("finance"):
			pay(loan.name, "100000", payment_method="Cash", posting_date=add_days(today(), -3))
		with self.assertRaises(PeriodClosedError):
			post_journal(
				"Manual",
				add_days(today(), -1),
				[JournalLine("bank_cash", D(5), D(0)), JournalLine("fee_income", D(0), D(5))],
				"Loan",
				loan.name,
			)
		# the day after the closing is open
		number = post_journal(
			"Manual",
			today(),
			[JournalLine("bank_cash", D(5), D(0)), JournalLine("fee_income", D(0), D(5))],
			"Loan",
			loan.name,
		)
		self.assertTrue(frappe.db.exists("Ledger Entry", {"journal_no": number}))

	def test_unbalanced_fractional_and_unmapped_journals_are_refused(self):
		for lines in (
			[],
			[JournalLine("bank_cash", D(5), D(0)), JournalLine("fee_income", D(0), D(4))],
			[JournalLine("bank_cash", D("5.5"), D(0)), JournalLine("fee_income", D(0), D("5.5"))],
			[JournalLine("no_such_role", D(5), D(0)), JournalLine("fee_income", D(0), D(5))],
			[JournalLine("1", D(5), D(0)), JournalLine("fee_income", D(0), D(5))],  # a group account
		):
			with self.assertRaises(PostingError):
				post_journal("Manual", today(), lines, "Loan", "x")

	def test_opening_journal_equals_outstanding_principal_once(self):
		loans = make_billable_loans_fast(free_period(), 1)
		number = post_opening(loans[0])
		self.assertTrue(number)
		rows = next(iter(journals("Loan", loans[0]).values()))
		self.assertEqual(by_role(rows)["loan_principal_receivable"], D(12_000_000))
		self.assertIsNone(post_opening(loans[0]))

	def test_opening_journals_bring_receivables_to_the_outstanding_principal(self):
		from pinjaman_online.accounting.setup.opening import post_opening_journals, principal_accounts

		loans = make_billable_loans_fast(free_period(), 2)
		self.assertGreaterEqual(post_opening_journals(), 2)
		for loan in loans:
			rows = frappe.get_all(
				"Ledger Entry",
				filters={"loan": loan, "account": ("in", principal_accounts())},
				fields=["debit", "credit", "event"],
			)
			self.assertEqual({r.event for r in rows}, {"Opening"})
			self.assertEqual(sum(D(str(r.debit)) - D(str(r.credit)) for r in rows), D(12_000_000))
		self.assertEqual(post_opening_journals(), 0)  # nothing left to open


class TestLedgerEntryIsImmutable(LedgerTestCase):
	def entry(self) -> str:
		loan = make_billable_loans_fast(free_period(), 1)[0]
		number = post_journal(
			"Manual",
			today(),
			[JournalLine("bank_cash", D(7), D(0)), JournalLine("fee_income", D(0), D(7))],
			"Loan",
			loan,
		)
		return frappe.db.get_value("Ledger Entry", {"journal_no": number, "debit": 7}, "name")

	def test_nobody_inserts_edits_or_deletes_an_entry(self):
		name = self.entry()
		for user in ("Administrator", "finance", "admin"):
			ctx = as_user(user) if user != "Administrator" else _same_user()
			with ctx:
				with self.assertRaises(frappe.PermissionError):
					frappe.get_doc(
						{
							"doctype": "Ledger Entry",
							"journal_no": "JR-FAKE",
							"account": "1112",
							"debit": 1,
							"posting_date": today(),
						}
					).insert()
				doc = frappe.get_doc("Ledger Entry", name)
				doc.debit = 1_000_000
				with self.assertRaises(frappe.PermissionError):
					doc.save()
				with self.assertRaises(frappe.PermissionError):
					frappe.delete_doc("Ledger Entry", name)
		self.assertEqual(frappe.db.get_value("Ledger Entry", name, "debit"), 7)


class _same_user:
	def __enter__(self):
		return frappe.session.user

	def __exit__(self, *exc):
		return False


class TestPensionDeductionMoney(LedgerTestCase):
	"""An import's payments, over-deductions (refunds payable) and unmatched deductions (suspense) each post one
	journal on the fund's clearing account; resolving an exception takes it out of suspense; a refund paid
	leaves refunds payable; cancelling the import reverses everything."""

	def import_with_everything(self):
		from pinjaman_online.tests.factories import (
			make_billable_loan,
			make_export,
			make_import,
			realisation_csv,
		)

		period = free_period()
		loan, over = make_billable_loan(period), make_billable_loan(period)
		export = make_export(period)
		number = frappe.db.get_value("Member", over.member, "pension_number")
		content = realisation_csv(
			export.name, amounts={number: 1_180_000 + 100_000}, extra=[("NOBODY-LEDGER", "", "X", 5000)]
		)
		return make_import(period, content), (loan, over)

	def vouchers(self, imp):
		return {
			"Loan Payment": frappe.get_all(
				"Loan Payment", {"source_key": ("like", f"{imp.name}-%")}, pluck="name"
			),
			"Refund Request": frappe.get_all("Refund Request", {"cut_import": imp.name}, pluck="name"),
			"Reconciliation Exception": frappe.get_all(
				"Reconciliation Exception", {"cut_import": imp.name}, pluck="name"
			),
		}

	def test_an_import_posts_one_journal_per_voucher_and_its_cancel_the_mirrors(self):
		imp, _loans = self.import_with_everything()
		vouchers = self.vouchers(imp)
		self.assertEqual({k: len(v) for k, v in vouchers.items()}, {"Loan Payment": 2, "Refund Request": 1,
			"Reconciliation Exception": 1})  # fmt: skip
		received = D(0)
		for voucher_type, names in vouchers.items():
			for name in names:
				posted = journals(voucher_type, name)
				self.assertEqual(len(posted), 1, (voucher_type, name))
				rows = next(iter(posted.values()))
				assert_balanced(self, rows)
				received += by_role(rows)["clearing_taspen"]
		self.assertEqual(received, D(1_180_000 * 2 + 100_000 + 5000))  # what the fund deducted
		(refund,) = vouchers["Refund Request"]
		self.assertEqual(
			by_role(next(iter(journals("Refund Request", refund).values()))),
			{"clearing_taspen": D(100_000), "refunds_payable": D(-100_000)},
		)
		(exception,) = vouchers["Reconciliation Exception"]
		self.assertEqual(
			by_role(next(iter(journals("Reconciliation Exception", exception).values()))),
			{"clearing_taspen": D(5000), "suspense_unmatched": D(-5000)},
		)

		with as_user("finance"):
			frappe.get_doc("Pension Cut Import", imp.name).cancel()
		for voucher_type, names in vouchers.items():
			for name in names:
				posted = journals(voucher_type, name)
				self.assertEqual(len(posted), 2, (voucher_type, name))
				self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})

	def test_an_exception_refunded_by_hand_leaves_suspense_and_the_refund_paid_leaves_the_bank(self):
		from pinjaman_online.api.billing import reconcile

		imp, (loan, _over) = self.import_with_everything()
		(exception,) = self.vouchers(imp)["Reconciliation Exception"]
		with as_user("finance"):
			result = reconcile(exception, "refund", member=loan.member, reason="returned")
		posted = journals("Reconciliation Exception", exception)
		self.assertEqual(len(posted), 2)
		self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})
		refund = frappe.get_doc("Refund Request", result["refund_request"])
		self.assertEqual(
			by_role(next(iter(journals("Refund Request", refund.name).values()))),
			{"clearing_taspen": D(5000), "refunds_payable": D(-5000)},
		)
		with as_user("finance"):
			refund.paid_on = today()
			refund.payment_reference = "TRF-1"
			refund.submit()
		rows = [r for rows in journals("Refund Request", refund.name).values() for r in rows]
		self.assertEqual(by_role(rows), {"clearing_taspen": D(5000), "bank_cash": D(-5000)})


class TestCommission(LedgerTestCase):
	def test_commission_booked_paid_and_cancelled_posts_its_journals(self):
		from pinjaman_online.sales.doctype.sales_commission.sales_commission import mark_paid
		from pinjaman_online.tests.factories import make_agent, make_branch

		branch = make_branch()
		agent = make_agent(branch)

		def commission():
			loan = make_active_loan(disbursement_date=add_months(today(), -1))
			doc = frappe.get_doc(
				{
					"doctype": "Sales Commission",
					"sales_agent": agent.name,
					"sales_branch": branch.name,
					"commission_type": "Commission",
					"posting_date": today(),
					"loan": loan.name,
					"rate_pct": 1,
				}
			)
			doc.flags.ignore_permissions = True
			doc.insert()
			doc.submit()
			return doc

		paid = commission()
		amount = D(str(paid.amount))
		self.assertTrue(amount > 0)
		rows = [r for rows in journals("Sales Commission", paid.name).values() for r in rows]
		self.assertEqual(by_role(rows), {"commission_expense": amount, "commission_payable": -amount})
		mark_paid(paid.name, today(), "TRF-COM-1")
		posted = journals("Sales Commission", paid.name)
		self.assertEqual(len(posted), 2)
		rows = [r for rows in posted.values() for r in rows]
		self.assertEqual(by_role(rows), {"commission_expense": amount, "bank_cash": -amount})

		unpaid = commission()
		unpaid.flags.ignore_permissions = True
		unpaid.cancel()
		posted = journals("Sales Commission", unpaid.name)
		self.assertEqual(len(posted), 2)
		self.assertEqual(by_role([r for rows in posted.values() for r in rows]), {})
