"""Online Loan pricing on the site: a product quoted per day, the OJK cap on interest + fees refused at
simulation (and so at application), and the daily run's late fees stopped at the OJK caps."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, add_months, getdate, today

from pinjaman_online.products.utils import simulate_product
from pinjaman_online.tests.factories import make_active_loan, make_product
from pinjaman_online.utils import to_money

SETTINGS = "Pinjaman Online Settings"
CAPS_2026 = {
	"online_caps_enabled": 1,
	"ojk_benefit_cap_per_day": 0.1,
	"ojk_short_tenor_months": 6,
	"ojk_short_benefit_cap_per_day": 0.3,
	"ojk_late_fee_cap_per_day": 0.1,
	"ojk_short_late_fee_cap_per_day": 0.3,
	"ojk_total_cap": 100,
}


def set_caps(**values):
	for field, value in {**CAPS_2026, **values}.items():
		frappe.db.set_single_value(SETTINGS, field, value)
	frappe.clear_document_cache(SETTINGS, SETTINGS)


def online_product(**overrides):
	values = {
		"product_type": "Online Loan",
		"identity_check": "KYC Submission",
		"repayment_method": "Bank Transfer",
		"min_principal": 1_000_000,
		"max_principal": 12_000_000,
		"min_tenor_months": 1,
		"max_tenor_months": 12,
		"check_dsr": 0,
		"check_benefit_coverage": 0,
		"rate_basis": "Per Day",
		"daily_interest_rate": 0.1,
		"fees": [{"fee_type": "Admin", "basis": "Percent", "percent": 1}],
	}
	values.update(overrides)
	return make_product(**values)


class TestOnlinePricing(FrappeTestCase):
	def setUp(self):
		set_caps()

	def test_a_rate_per_day_sets_the_annual_rate_of_the_schedule(self):
		product = online_product(daily_interest_rate=0.08, fees=[])
		self.assertEqual(Decimal(str(product.annual_interest_rate)), Decimal("29.2"))
		# 12 months flat on Rp 12.000.000 at 0,08%/day: 29,2% a year = 3.504.000
		sim = simulate_product(product, 12_000_000, 12, add_months(today(), 1))
		self.assertEqual(sim.total_interest, Decimal(3_504_000))
		self.assertRaises(frappe.ValidationError, online_product, daily_interest_rate=0.3)  # 109,5%/year

	def test_interest_and_fees_above_the_cap_are_refused_with_the_figures(self):
		# 12 months: cap 0,1%/day; 0,1%/day of interest alone reaches it, the 1% fee goes beyond.
		product = online_product()
		start = getdate("2026-03-01")
		with self.assertRaises(frappe.ValidationError) as caught:
			simulate_product(product, 12_000_000, 12, add_months(start, 1), start=start)
		self.assertEqual(frappe.local.response.get("code"), "ECONOMIC_BENEFIT_CAP")
		self.assertIn("0.1", str(caught.exception))
		# 6 months: the short-tenor cap (0,3%/day) allows it.
		sim = simulate_product(product, 12_000_000, 6, add_months(start, 1), start=start)
		self.assertEqual(sim.total_interest, Decimal(2_190_000))  # 12.000.000 × 36,5% / 2
		# With the caps switched off the long tenor is priced as the product says.
		set_caps(online_caps_enabled=0)
		simulate_product(product, 12_000_000, 12, add_months(start, 1), start=start)

	def test_the_daily_run_stops_late_fees_at_the_caps(self):
		from pinjaman_online.servicing.daily import service_loans

		rule = frappe.get_doc(
			{
				"doctype": "Penalty Rule",
				"rule_name": f"Steep {frappe.generate_hash(length=6)}",
				"grace_days": 0,
				"daily_rate": 5,
			}
		).insert(ignore_permissions=True)
		product = make_product(penalty_rule=rule.name)
		first_due = getdate(add_months(today(), -2))
		loan = make_active_loan(
			product=product,
			principal=12_000_000,
			tenor_months=12,
			disbursement_date=add_months(first_due, -1),
			first_due_date=first_due,
		)
		# Booked on the staff path; priced and capped as an online loan from here on.
		frappe.db.set_value("Loan Product", product.name, "product_type", "Online Loan")
		frappe.flags.servicing_penalty_rules = None

		def penalties():
			return to_money(
				frappe.db.sql(
					"select sum(penalty_amount) from `tabLoan Installment` where loan = %s", loan.name
				)[0][0]
			)

		# 10 days late on the first installment (Rp 1.180.000 at 5%/day = 590.000): at most 0,1% of the
		# principal a day, 12.000 × 10.
		service_loans(loan.name, loan.name, add_days(first_due, 10))
		self.assertEqual(penalties(), Decimal(120_000))
		# Years later every installment is late: interest + fees + late fees stop at the principal.
		frappe.flags.servicing_penalty_rules = None
		service_loans(loan.name, loan.name, add_days(first_due, 3000))
		loan.reload()
		room = to_money(loan.principal) - to_money(loan.total_interest) - to_money(loan.total_fees)
		self.assertEqual(penalties(), room)
		accrued = frappe.db.sql(
			"select sum(amount) from `tabLoan Penalty Accrual` where loan = %s", loan.name
		)[0][0]
		self.assertEqual(to_money(accrued), room)
		# A later run adds nothing.
		frappe.flags.servicing_penalty_rules = None
		service_loans(loan.name, loan.name, add_days(first_due, 3001))
		self.assertEqual(penalties(), room)
