"""Monthly funder settlement on a real site: reconciliation with the collected payments to the Rupiah."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import getdate, today

from pinjaman_online.api.funding import funder_margin, get_settlements, portfolio
from pinjaman_online.api.servicing import pay
from pinjaman_online.funding.doctype.funder_settlement.funder_settlement import SettlementExistsError
from pinjaman_online.funding.report.funder_margin.funder_margin import execute as margin_report
from pinjaman_online.funding.settlement import generate_month_end_settlements, generate_settlement
from pinjaman_online.lending.money import percent_of
from pinjaman_online.lending.period import period_of
from pinjaman_online.tests.factories import (
	acting_as,
	as_user,
	make_active_loan,
	make_allocation,
	make_contract,
	make_funder,
	make_test_user,
)

D = Decimal
PERIOD = str(period_of(getdate(today())))
START, END = period_of(getdate(today())).start, period_of(getdate(today())).end


def collected(loans) -> Decimal:
	"""What the payments of the period on ``loans`` brought in, straight from Loan Payment (Rupiah)."""
	amounts = frappe.get_all(
		"Loan Payment",
		filters={"loan": ("in", loans), "docstatus": 1, "posting_date": ("between", [START, END])},
		pluck="amount",
	)
	return sum((D(str(a)) for a in amounts), D(0))


def money(value) -> Decimal:
	return D(str(value))


def outgoing_email_account():
	"""A default outgoing Email Account (never connected to in tests), so that e-mails are queued."""
	if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "Koperasi Test Outgoing",
				"email_id": "noreply@koperasi.example",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "localhost",
				"no_smtp_authentication": 1,
			}
		).insert(ignore_permissions=True)
	frappe.local.outgoing_email_account = {}


class TestFunderSettlement(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.contact = make_test_user("treasury", "Funder")
		cls.bank = make_funder(contact_user=cls.contact)
		cls.kop = make_funder(funder_type="Cooperative", contact_email="")
		bank_fronting = make_contract(
			cls.bank, scheme="Fronting", fee_originator_pct=10, fee_servicing_pct=15
		)
		bank_part = make_contract(
			cls.bank, scheme="Participation", fee_originator_pct=8, fee_servicing_pct=12
		)
		kop_part = make_contract(
			cls.kop, scheme="Participation", interest_share_pct=90, fee_originator_pct=5, fee_servicing_pct=10
		)
		kop_channeling = make_contract(
			cls.kop, scheme="Channeling", fee_originator_pct=4, fee_servicing_pct=6
		)
		# 12.000.000 over 12 months at 18% flat: installments of 1.000.000 principal + 180.000 interest.
		cls.full = make_active_loan(principal=12_000_000, tenor_months=12)
		cls.shared = make_active_loan(principal=24_000_000, tenor_months=24)
		cls.assigned = make_active_loan(principal=18_000_000, tenor_months=18)
		cls.own = make_active_loan()  # not funded: the cooperative's alone
		make_allocation(cls.full, bank_fronting, "Full")
		make_allocation(cls.shared, bank_part, "Partial", share_pct=60)
		make_allocation(cls.shared, kop_part, "Partial", share_amount=6_000_000)
		make_allocation(cls.assigned, kop_channeling, "Assignment")
		with as_user("finance"):
			pay(cls.full.name, 1_180_000)
			pay(cls.shared.name, 1_234_567)
			pay(cls.shared.name, 33_333)
			pay(cls.assigned.name, 999_999)
			pay(cls.own.name, 500_000)
		outgoing_email_account()
		frappe.flags.mute_emails = True  # Email Queue rows are made, nothing is sent
		try:
			with as_user("finance"):
				cls.bank_result = generate_settlement(cls.bank.name, PERIOD)
				cls.kop_result = generate_settlement(cls.kop.name, PERIOD)
		finally:
			frappe.flags.mute_emails = False
			frappe.local.outgoing_email_account = {}

	def settlement(self, name):
		return frappe.get_doc("Funder Settlement", name)

	def live(self, funder):
		"""The funder's live settlement of the period (another test may have made a new version)."""
		return self.settlement(
			frappe.db.get_value("Funder Settlement", {"live_key": f"{funder.name}|{PERIOD}"})
		)

	def test_totals_reconcile_with_the_collected_payments_to_the_rupiah(self):
		bank, kop = self.live(self.bank), self.live(self.kop)
		self.assertEqual([r.loan for r in bank.lines], sorted([self.full.name, self.shared.name]))
		self.assertEqual([r.loan for r in kop.lines], sorted([self.shared.name, self.assigned.name]))
		for doc, loans in (
			(bank, [self.full.name, self.shared.name]),
			(kop, [self.shared.name, self.assigned.name]),
		):
			self.assertEqual(money(doc.total_collected), collected(loans))
			self.assertEqual(
				money(doc.net_to_funder) + money(doc.total_other_funders) + money(doc.total_cooperative),
				collected(loans),
			)
			self.assertEqual(doc.reconciled, 1)
		# The shared loan: both funders and the cooperative together got exactly what was paid.
		bank_line = next(r for r in bank.lines if r.loan == self.shared.name)
		kop_line = next(r for r in kop.lines if r.loan == self.shared.name)
		self.assertEqual(
			money(bank_line.net_amount) + money(kop_line.net_amount) + money(bank_line.cooperative_amount),
			collected([self.shared.name]),
		)
		self.assertEqual(money(bank_line.other_funders_amount), money(kop_line.net_amount))
		self.assertEqual(bank_line.payment_count, 2)

	def test_fees_per_contract(self):
		bank = self.settlement(self.bank_result["name"])
		line = next(r for r in bank.lines if r.loan == self.full.name)
		# 1.180.000 paid = 1.000.000 principal + 180.000 interest, all the bank's; fees 10% + 15% of the interest.
		self.assertEqual(
			[
				money(line.get(f))
				for f in ("principal", "interest", "originator_fee", "servicing_fee", "net_amount")
			],
			[D(1_000_000), D(180_000), D(18_000), D(27_000), D(1_135_000)],
		)
		kop = self.settlement(self.kop_result["name"])
		shared = next(r for r in kop.lines if r.loan == self.shared.name)
		credited = percent_of(money(shared.interest_part), D(90))
		self.assertEqual(money(shared.interest), credited)
		self.assertEqual(
			money(shared.originator_fee) + money(shared.servicing_fee), percent_of(credited, D(15))
		)
		self.assertEqual(
			money(kop.total_fees), money(kop.total_originator_fee) + money(kop.total_servicing_fee)
		)

	def test_generating_again_is_idempotent_and_a_change_makes_a_new_version(self):
		with as_user("finance"):
			again = generate_settlement(self.bank.name, PERIOD)
		self.assertEqual((again["name"], again["created"]), (self.bank_result["name"], False))
		duplicate = frappe.new_doc("Funder Settlement")
		duplicate.update({"funder": self.bank.name, "period": PERIOD})
		duplicate.insert(ignore_permissions=True)
		self.assertRaises(SettlementExistsError, duplicate.submit)

		with as_user("finance"):
			pay(self.full.name, 1_180_000)
			new = generate_settlement(self.bank.name, PERIOD, "Late pension deduction")
		self.assertTrue(new["created"])
		self.assertEqual(new["superseded"], self.bank_result["name"])
		old, current = self.settlement(self.bank_result["name"]), self.settlement(new["name"])
		self.assertEqual((old.docstatus, old.status, old.superseded_by), (2, "Superseded", current.name))
		self.assertEqual((current.version, current.amended_from), (2, old.name))
		self.assertEqual(money(current.total_collected), collected([self.full.name, self.shared.name]))
		live = frappe.get_all(
			"Funder Settlement", filters={"funder": self.bank.name, "period": PERIOD, "docstatus": 1}
		)
		self.assertEqual(len(live), 1)
		self.assertEqual(len(get_settlements(self.bank.name, PERIOD, include_history=True)), 2)

	def test_finance_and_the_funder_contact_are_notified(self):
		from pinjaman_online.borrower.events import replay

		name = self.bank_result["name"]
		# FunderSettled was published on submit; its handlers run here as the RQ job would after the commit
		(event,) = frappe.get_all(
			"Borrower Event", {"reference_name": name, "event": "FunderSettled"}, pluck="name"
		)
		replay(event)
		users = frappe.get_all(
			"Notification Log",
			filters={"document_name": name, "document_type": "Funder Settlement"},
			pluck="for_user",
		)
		self.assertIn(self.contact, users)
		self.assertIn("test-finance@koperasi.example", users)
		self.assertTrue(
			frappe.db.exists(
				"Email Queue", {"reference_doctype": "Funder Settlement", "reference_name": name}
			)
		)

	def test_portfolio_and_the_contact_sees_only_their_funder(self):
		with acting_as(self.contact):
			book = portfolio(self.bank.name)
			self.assertRaises(frappe.PermissionError, portfolio, self.kop.name)
		shares = {row["loan"]: row for row in book["loans"]}
		self.assertEqual(set(shares), {self.full.name, self.shared.name})
		shared = shares[self.shared.name]
		outstanding = money(frappe.db.get_value("Loan", self.shared.name, "outstanding_principal"))
		self.assertEqual(D(shared["funder_outstanding_principal"]), percent_of(outstanding, D(60)))
		with as_user("sales"):  # Sales may read funders, not their settlements
			self.assertRaises(frappe.PermissionError, get_settlements, self.kop.name)
		self.assertEqual(shares[self.full.name]["receivable_owner"], "cooperative")

	def test_margin_report_and_month_end_job(self):
		_columns, rows = margin_report({"period": PERIOD})
		mine = {r["funder"]: r for r in rows if r["funder"] in (self.bank.name, self.kop.name)}
		kop = self.settlement(self.kop_result["name"])
		self.assertEqual(
			money(mine[self.kop.name]["cooperative_margin"]),
			money(kop.total_fees) + money(kop.total_interest_spread),
		)
		with as_user("finance"):
			via_api = funder_margin(PERIOD, self.kop.name)
			result = generate_month_end_settlements(PERIOD)
		self.assertEqual(
			[r["settlement"] for r in via_api["result"] if isinstance(r, dict) and r.get("settlement")],
			[self.kop_result["name"]],
		)
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, funder_margin, PERIOD)
		self.assertEqual(result[self.kop.name], self.kop_result["name"])  # unchanged: the same settlement
