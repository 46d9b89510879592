"""Accrual basis through the close of business, and the funders' shares, on a real site: every journal
balances, the Ledger vs Loans report stays at zero, a rerun of the daily run posts nothing."""

from decimal import Decimal

import frappe
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.accounting.posting import accrue_all, accrue_loans
from pinjaman_online.accounting.report.ledger_vs_loans.ledger_vs_loans import execute as ledger_vs_loans
from pinjaman_online.accounting.tests.test_ledger_posting import LedgerTestCase, by_role, journals
from pinjaman_online.api.servicing import pay, reverse_payment, settle
from pinjaman_online.funding.settlement import generate_settlement
from pinjaman_online.lending.period import period_of
from pinjaman_online.servicing.daily import service_loans
from pinjaman_online.tests.factories import (
	as_user,
	make_active_loan,
	make_allocation,
	make_contract,
	make_funder,
	make_product,
)

D = Decimal


def accrual_product(**overrides):
	rule = frappe.get_doc(
		{
			"doctype": "Penalty Rule",
			"rule_name": f"Accrual {frappe.generate_hash(length=6)}",
			"grace_days": 5,
			"daily_rate": 0.1,
			"cap_percent": 50,
		}
	).insert(ignore_permissions=True)
	return make_product(
		penalty_rule=rule.name, early_settlement_penalty=2, accounting_basis="Accrual", **overrides
	)


def loan_rows(loan: str):
	return frappe.get_all(
		"Ledger Entry",
		filters={"loan": loan},
		fields=["journal_no", "account", "debit", "credit", "event", "voucher_type", "voucher_no"],
		order_by="journal_no, idx",
	)


def installments(loan: str):
	return frappe.get_all(
		"Loan Installment",
		filters={"loan": loan, "status": ("!=", "Cancelled")},
		fields=["name", "due_date", "interest_amount", "interest_paid", "penalty_amount", "penalty_paid"],
		order_by="installment_number",
	)


def due_unpaid(loan: str, at) -> tuple[D, D]:
	interest = penalty = D(0)
	for i in installments(loan):
		if getdate(i.due_date) <= getdate(at):
			interest += D(str(i.interest_amount)) - D(str(i.interest_paid))
		penalty += D(str(i.penalty_amount)) - D(str(i.penalty_paid))
	return interest, penalty


def run(loan: str, as_of) -> None:
	"""The daily run's chunk of this one loan (the unit ``process_chunk`` does)."""
	frappe.flags.servicing_penalty_rules = None
	service_loans(loan, loan, getdate(as_of), str(getdate(as_of)))


class AccrualTestCase(LedgerTestCase):
	def assert_journals_balanced(self, loan: str):
		by_journal = {}
		for row in loan_rows(loan):
			by_journal.setdefault(row.journal_no, []).append(row)
		self.assertTrue(by_journal)
		for number, rows in by_journal.items():
			self.assertEqual(sum(D(str(r.debit)) for r in rows), sum(D(str(r.credit)) for r in rows), number)

	def assert_report_zero(self, loan: str, at):
		data = ledger_vs_loans({"as_of_date": str(getdate(at)), "show_zero": 1})[1]
		row = next((r for r in data if r.get("loan") == loan), None)
		self.assertIsNotNone(row, loan)
		self.assertEqual(row["difference"], 0, row)
		self.assertEqual(row["ledger"], row["loans"], row)
		self.assertEqual(row["interest_ledger"], row["interest_loans"], row)
		self.assertEqual(row["penalty_ledger"], row["penalty_loans"], row)
		return row

	def receivables(self, loan: str) -> tuple[D, D]:
		figures = by_role(loan_rows(loan))
		return figures.get("interest_receivable", D(0)), figures.get("penalty_receivable", D(0))


class TestAccrualBasis(AccrualTestCase):
	def test_accrual_product_through_daily_runs_payment_reversal_and_settlement(self):
		start = add_months(today(), -4)
		loan = make_active_loan(disbursement_date=start, product=accrual_product(), tenor_months=12)
		schedule = installments(loan.name)
		first, second, third = (getdate(i.due_date) for i in schedule[:3])
		self.assertFalse([r for r in loan_rows(loan.name) if r.event == "Accrual"])

		# The first due date: its interest is income, receivable.
		run(loan.name, first)
		interest, penalty = self.receivables(loan.name)
		self.assertEqual(interest, D(str(schedule[0].interest_amount)))
		self.assertEqual(penalty, 0)
		self.assert_report_zero(loan.name, first)
		count = len(loan_rows(loan.name))
		run(loan.name, first)  # a rerun posts nothing
		self.assertEqual(len(loan_rows(loan.name)), count)

		# The second due date: its interest, and the penalties the run accrued on the first installment.
		run(loan.name, second)
		self.assertEqual(self.receivables(loan.name), due_unpaid(loan.name, second))
		self.assertGreater(self.receivables(loan.name)[1], 0)
		self.assert_report_zero(loan.name, second)
		count = len(loan_rows(loan.name))
		run(loan.name, second)
		self.assertEqual(len(loan_rows(loan.name)), count)

		# A payment on the second due date that pays the third installment's interest before it is due:
		# that interest is accrued with the payment, the receivable never goes below zero.
		total = frappe.db.sql(
			"""select sum(total_amount + penalty_amount) from `tabLoan Installment`
			where loan = %s and installment_number <= 3""",
			loan.name,
		)[0][0]
		with as_user("finance"):
			payment = pay(loan.name, str(int(total)), posting_date=str(second), payment_method="Cash")
		posted = journals("Loan Payment", payment["name"])
		events = sorted(rows[0].event for rows in posted.values())
		self.assertEqual(events, ["Accrual", "Repayment"])
		interest, penalty = self.receivables(loan.name)
		self.assertEqual((interest, penalty), (D(0), D(0)))
		self.assertEqual(due_unpaid(loan.name, second), (D(0), D(0)))
		self.assert_report_zero(loan.name, second)

		# The third due date: nothing left to accrue for it (paid and accrued with the payment).
		count = len(loan_rows(loan.name))
		run(loan.name, third)
		self.assertEqual(len(loan_rows(loan.name)), count)
		run(loan.name, today())
		self.assert_report_zero(loan.name, today())

		# Reversing the payment mirrors its repayment and its accrual, and accrues (today) what has fallen due
		# since it was paid ahead: the receivables are right at once. The next run accrues the penalties of
		# the installments unpaid again; its rerun posts nothing.
		with as_user("finance"):
			reverse_payment(payment["name"], "wrong amount")
		self.assertEqual(
			by_role([r for rows in journals("Loan Payment", payment["name"]).values() for r in rows]), {}
		)
		self.assertEqual(self.receivables(loan.name), due_unpaid(loan.name, today()))
		self.assert_report_zero(loan.name, today())
		run(loan.name, today())
		self.assertEqual(self.receivables(loan.name), due_unpaid(loan.name, today()))
		self.assert_report_zero(loan.name, today())
		count = len(loan_rows(loan.name))
		run(loan.name, today())
		self.assertEqual(len(loan_rows(loan.name)), count)

		# An early settlement pays everything: the receivables are cleared, the loan is closed.
		with as_user("finance"):
			settle(loan.name)
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Closed")
		self.assertEqual(self.receivables(loan.name), (D(0), D(0)))
		self.assert_report_zero(loan.name, today())
		self.assert_journals_balanced(loan.name)

	def test_cash_basis_posts_no_accrual(self):
		product = make_product(accounting_basis="Cash")
		loan = make_active_loan(disbursement_date=add_months(today(), -3), product=product)
		run(loan.name, today())
		self.assertFalse([r for r in loan_rows(loan.name) if r.event == "Accrual"])
		self.assertEqual(self.receivables(loan.name), (D(0), D(0)))
		self.assert_report_zero(loan.name, today())

	def test_accrue_loans_is_set_based_and_idempotent(self):
		product = accrual_product()
		loans = [
			make_active_loan(disbursement_date=add_months(today(), -2), product=product).name
			for _ in range(3)
		]
		first = accrue_loans(loans, today())
		self.assertEqual(first["journals"], 3)
		self.assertEqual(accrue_loans(loans, today())["journals"], 0)
		for loan in loans:
			self.assertEqual(self.receivables(loan), due_unpaid(loan, today()))
		count = frappe.db.count("Ledger Entry", {"loan": ("in", loans)})
		accrue_all(today())  # the catch-up of every live loan finds these up to date
		self.assertEqual(frappe.db.count("Ledger Entry", {"loan": ("in", loans)}), count)

	def test_write_off_clears_the_accrued_receivables(self):
		from frappe.model.workflow import apply_workflow

		loan = make_active_loan(disbursement_date=add_months(today(), -5), product=accrual_product())
		run(loan.name, today())
		self.assertGreater(self.receivables(loan.name)[0], 0)
		with as_user("finance"):
			doc = frappe.get_doc({"doctype": "Loan Write-off", "loan": loan.name, "reason": "Absconded"})
			doc.insert()
			doc = apply_workflow(doc, "Submit for Approval")
		with as_user("director"):
			apply_workflow(frappe.get_doc(doc.doctype, doc.name), "Approve")
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Written Off")
		self.assertEqual(self.receivables(loan.name), (D(0), D(0)))
		self.assert_journals_balanced(loan.name)


class TestFunderShares(AccrualTestCase):
	def funder_payable(self, loan: str, settlements=()) -> D:
		rows = loan_rows(loan)
		for name in settlements:
			rows += frappe.get_all(
				"Ledger Entry",
				filters={"voucher_type": "Funder Settlement", "voucher_no": name},
				fields=["journal_no", "account", "debit", "credit", "event", "voucher_type", "voucher_no"],
			)
		return -by_role(rows).get("funder_payable", D(0))

	def test_funder_share_posted_with_the_payment_reversed_with_it_and_settled(self):
		period = period_of(getdate(today()))
		loan = make_active_loan(disbursement_date=add_months(today(), -2))
		contract = make_contract(make_funder(), scheme="Participation", interest_share_pct=80)
		allocation = make_allocation(loan, contract, "Partial", share_pct=60, effective_date=period.start)
		funded = D(str(allocation.share_amount))
		posted = journals("Funder Allocation", allocation.name)
		self.assertEqual(len(posted), 1)
		self.assertEqual(
			by_role(next(iter(posted.values()))), {"disbursement_bank": funded, "funder_payable": -funded}
		)
		self.assertEqual(self.funder_payable(loan.name), funded)

		day = max(getdate(period.start), add_days(getdate(today()), 0))
		with as_user("finance"):
			one = pay(loan.name, "700001", posting_date=str(day), payment_method="Cash")
			two = pay(loan.name, "433337", posting_date=str(day), payment_method="Cash")
			wrong = pay(loan.name, "100000", posting_date=str(day), payment_method="Cash")
			reverse_payment(wrong["name"], "typed twice")
		shares = D(0)
		for name in (one["name"], two["name"]):
			rows = [r for rows in journals("Loan Payment", name).values() for r in rows]
			share = [r for r in rows if r.event == "Funder Share"]
			if name == one["name"]:  # the first pays interest; the second only principal
				self.assertTrue(share)
			if share:
				shares += -by_role(share)["funder_payable"]
				self.assertEqual(by_role(share)["interest_income"], -by_role(share)["funder_payable"])
		self.assertEqual(
			by_role([r for rows in journals("Loan Payment", wrong["name"]).values() for r in rows]), {}
		)
		self.assertEqual(self.funder_payable(loan.name), funded + shares)

		frappe.set_user("Administrator")
		result = generate_settlement(allocation.funder, str(period))
		settlement = frappe.get_doc("Funder Settlement", result["name"])
		owed_interest = D(str(settlement.total_interest)) - D(str(settlement.total_fees))
		self.assertLessEqual(abs(owed_interest - shares), 2)
		# After the settlement is paid the funder is owed the principal it funded that is not repaid yet.
		self.assertEqual(
			self.funder_payable(loan.name, [settlement.name]),
			funded - D(str(settlement.total_principal)),
		)
		# Generating again changes nothing, a new version replaces the old one's journals.
		self.assertFalse(generate_settlement(allocation.funder, str(period))["created"])
		with as_user("finance"):
			pay(loan.name, "250000", posting_date=str(day), payment_method="Cash")
		frappe.set_user("Administrator")
		again = generate_settlement(allocation.funder, str(period))
		self.assertTrue(again["created"])
		newer = frappe.get_doc("Funder Settlement", again["name"])
		self.assertEqual(
			self.funder_payable(loan.name, [settlement.name, newer.name]),
			funded - D(str(newer.total_principal)),
		)
		self.assert_journals_balanced(loan.name)
		self.assert_report_zero(loan.name, today())
