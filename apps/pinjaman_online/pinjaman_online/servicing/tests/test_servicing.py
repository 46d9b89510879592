"""Daily servicing, restructuring, early settlement, manual penalty, payment reversal."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.api.servicing import (
	decide_restructure,
	outstanding,
	pay,
	payoff,
	penalize,
	restructure,
	reverse_payment,
	settle,
)
from pinjaman_online.servicing.daily import run_daily_servicing, take_aging_snapshot
from pinjaman_online.tests.factories import as_user, make_active_loan, make_member, make_product


def installments(loan):
	return frappe.get_all(
		"Loan Installment",
		filters={"loan": loan},
		order_by="installment_number",
		fields=[
			"installment_number",
			"status",
			"principal_amount",
			"interest_amount",
			"penalty_amount",
			"principal_paid",
			"interest_paid",
			"penalty_paid",
			"outstanding_amount",
			"due_date",
		],
	)


def penalty_product():
	rule = frappe.get_doc(
		{
			"doctype": "Penalty Rule",
			"rule_name": f"Test {frappe.generate_hash(length=6)}",
			"grace_days": 5,
			"daily_rate": 0.1,
			"cap_percent": 50,
		}
	).insert(ignore_permissions=True)
	return make_product(penalty_rule=rule.name, early_settlement_penalty=2)


class TestDailyServicing(FrappeTestCase):
	def test_a_loan_91_days_late_becomes_default_and_a_second_run_changes_nothing(self):
		as_of = getdate(today())
		first_due = add_days(as_of, -91)
		loan = make_active_loan(
			product=penalty_product(),
			principal=12_000_000,
			tenor_months=12,
			disbursement_date=add_months(first_due, -1),
			first_due_date=first_due,
		)
		first = run_daily_servicing(as_of)
		runs = first["runs"]
		loan.reload()
		self.assertEqual(loan.days_past_due, 91)
		self.assertEqual((loan.status, loan.collectibility, loan.aging_bucket), ("Default", 3, ">90"))
		self.assertGreaterEqual(first["loans_defaulted"], 1)
		# installment 1 (1.180.000) unpaid 91 days: 86 days after 5 days' grace at 0.1%/day = 101.480
		rows = installments(loan.name)
		self.assertEqual(rows[0].penalty_amount, 101_480)
		snapshot = {r.installment_number: r.penalty_amount for r in rows}
		second = run_daily_servicing(as_of)
		self.assertEqual((second["penalties_accrued"], second["loans_defaulted"]), (0, 0))
		self.assertEqual({r.installment_number: r.penalty_amount for r in installments(loan.name)}, snapshot)
		self.assertEqual(frappe.db.get_value("Servicing Run", str(as_of), "runs"), runs + 1)
		versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Loan", "docname": loan.name}, pluck="data"
		)
		self.assertTrue(any('"Default"' in v for v in versions))

	def test_penalties_are_paid_first(self):
		as_of = getdate(today())
		loan = make_active_loan(
			product=penalty_product(),
			principal=12_000_000,
			tenor_months=12,
			disbursement_date=add_days(as_of, -50),
			first_due_date=add_days(as_of, -20),
		)
		run_daily_servicing(as_of)
		penalty = installments(loan.name)[0].penalty_amount
		self.assertEqual(penalty, 1_180_000 * 15 // 1000)  # 15 days × 0.1%
		with as_user("finance"):
			result = pay(loan.name, 100_000)
		self.assertEqual(result["allocations"][0]["penalty"], penalty)

	def test_aging_snapshot_replaces_its_period(self):
		make_active_loan()
		period = today()[:7]
		count = take_aging_snapshot(period)
		self.assertGreater(count, 0)
		self.assertEqual(take_aging_snapshot(period), count)
		self.assertEqual(frappe.db.count("Aging Snapshot", {"period": period}), count)

	def test_a_missed_month_end_snapshot_is_caught_up_and_the_reports_say_so(self):
		from pinjaman_online.servicing.daily import catch_up_aging_snapshot
		from pinjaman_online.servicing.report.aging_report.aging_report import execute as aging
		from pinjaman_online.servicing.report.loan_quality.loan_quality import execute as quality

		# a month long past, without snapshot: a loan disbursed in it, another after it
		period = "2031-07"
		frappe.db.delete("Aging Snapshot", {"period": ("in", (period, "2031-06"))})
		old, new = make_active_loan(), make_active_loan()
		frappe.db.set_value("Loan", old.name, "disbursement_date", "2031-07-10")
		frappe.db.set_value("Loan", new.name, "disbursement_date", "2031-08-01")
		self.assertEqual(catch_up_aging_snapshot("2031-08-03"), period)
		rows = frappe.get_all("Aging Snapshot", {"period": period}, ["loan", "taken_on"])
		self.assertIn(old.name, [r.loan for r in rows])
		self.assertNotIn(new.name, [r.loan for r in rows])
		self.assertEqual({str(r.taken_on) for r in rows}, {"2031-08-03"})
		self.assertIsNone(catch_up_aging_snapshot("2031-08-04"))  # taken once
		self.assertIn("caught up", aging({"period": period})[2])

		# a month-end run's snapshot (taken on the last day) is the plain month-end one
		take_aging_snapshot(period)
		self.assertEqual(aging({"period": period})[2], "Month-end snapshot of 2031-07")

		# a past month without any snapshot shows no figures and says so, in both reports
		_columns, data, message, *_ = aging({"period": "2031-06"})
		self.assertEqual(sum(d["loans"] for d in data), 0)
		self.assertIn("No aging snapshot for 2031-06", message)
		_columns, data, message, *_ = quality({"period": "2031-06"})
		self.assertIn("No aging snapshot for 2031-06", message)

	def test_a_deceased_member_flags_their_loans_for_the_heirs(self):
		loan = make_active_loan()
		member = frappe.get_doc("Member", loan.member)
		member.status = "Deceased"
		member.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "heir_settlement_required"), 1)
		member.status = "Active"
		member.save(ignore_permissions=True)
		other = make_active_loan(member=make_member())
		m = frappe.get_doc("Member", other.member)
		m.status = "Inactive"
		m.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Loan", other.name, "status"), "Default")


class TestLoanChanges(FrappeTestCase):
	def test_restructure_needs_management_and_reschedules_the_outstanding(self):
		loan = make_active_loan(principal=12_000_000, tenor_months=12)
		with as_user("finance"):
			pay(loan.name, 1_180_000)
		with as_user("analyst"):
			proposal = restructure(
				loan.name,
				"Tenor Extension",
				"Pension reduced",
				new_tenor_months=22,
				effective_date=str(add_days(installments(loan.name)[1].due_date, -1)),
			)
		self.assertEqual(proposal["workflow_state"], "Pending Approval")
		self.assertEqual(proposal["outstanding_principal"], 11_000_000)
		with as_user("analyst"):
			self.assertRaises(frappe.PermissionError, decide_restructure, proposal["name"], "approve")
		with as_user("manager"):
			done = decide_restructure(proposal["name"], "approve")
		self.assertEqual((done["workflow_state"], done["docstatus"]), ("Approved", 1))
		rows = installments(loan.name)
		live = [r for r in rows if r.status != "Cancelled"]
		self.assertEqual(len(live), 1 + 22)
		self.assertEqual(sum(r.principal_amount for r in live), 12_000_000)
		self.assertEqual(len([r for r in rows if r.status == "Cancelled"]), 11)
		loan.reload()
		self.assertEqual((loan.restructure_count, loan.tenor_months), (1, 23))
		self.assertEqual(Decimal(outstanding(loan.name)["principal"]), 11_000_000)

	def test_early_settlement_closes_the_loan_and_cancelling_restores_it(self):
		loan = make_active_loan(
			product=penalty_product(),
			principal=12_000_000,
			tenor_months=12,
			disbursement_date=add_days(today(), -10),
		)
		before = installments(loan.name)
		quote = payoff(loan.name)
		self.assertEqual(Decimal(quote["principal"]), 12_000_000)
		self.assertEqual(Decimal(quote["early_settlement_fee"]), 240_000)  # 2% of the outstanding principal
		with as_user("finance"):
			result = settle(loan.name)
		self.assertEqual(result["loan_status"], "Closed")
		self.assertEqual(Decimal(result["total_amount"]), Decimal(quote["total"]))
		self.assertTrue(all(r.status == "Paid" for r in installments(loan.name)))
		with as_user("finance"):
			frappe.get_doc("Loan Settlement", result["name"]).cancel()
		self.assertEqual(installments(loan.name), before)
		self.assertEqual(frappe.db.get_value("Loan", loan.name, "status"), "Active")

	def test_manual_penalty_and_its_cancellation(self):
		loan = make_active_loan()
		with as_user("finance"):
			result = penalize(loan.name, 50_000, "Returned cheque fee")
			self.assertEqual(Decimal(result["outstanding"]["penalty"]), 50_000)
			frappe.get_doc("Loan Penalty", result["name"]).cancel()
		self.assertEqual(Decimal(outstanding(loan.name)["penalty"]), 0)

	def test_reversal_restores_exactly_and_only_newest_first(self):
		loan = make_active_loan(principal=12_000_000, tenor_months=12)
		before = installments(loan.name)
		with as_user("finance"):
			first = pay(loan.name, 1_500_000)
			second = pay(loan.name, 333_333)
			self.assertRaisesRegex(
				frappe.ValidationError, "Later payments", reverse_payment, first["name"], "wrong"
			)
			reverse_payment(second["name"], "Posted twice")
			reverse_payment(first["name"], "Wrong loan")
		self.assertEqual(installments(loan.name), before)
		self.assertEqual(frappe.db.get_value("Loan Payment", first["name"], "docstatus"), 2)
		self.assertEqual(Decimal(outstanding(loan.name)["total"]), 12_000_000 + 2_160_000)
