import frappe
from frappe.model.workflow import WorkflowTransitionError
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.api.origination import analyze, decide
from pinjaman_online.origination.doctype.loan_application.loan_application import DocumentsNotVerifiedError
from pinjaman_online.origination.utils import (
	CommitteeReasonRequiredError,
	CommitteeVoteError,
	DoubleFinancingError,
)
from pinjaman_online.products.utils import ProductLimitError
from pinjaman_online.tests.factories import (
	approve,
	as_user,
	make_application,
	make_member,
	make_product,
	make_staff,
)


class TestLoanApplication(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for key in ("sales", "analyst", "spv", "manager", "director", "finance"):
			make_staff(key)

	def test_simulation_figures_are_stored_on_save(self):
		app = make_application(principal=12_000_000, tenor_months=12)
		# 18% flat: interest 180.000/month; 1.000.000 + 180.000 rounded to Rp 100.
		self.assertEqual(app.installment_amount, 1_180_000)
		self.assertEqual(app.total_interest, 2_160_000)
		self.assertEqual(app.total_fees, 250_000 + 120_000)
		self.assertEqual(app.net_disbursement, 12_000_000 - 370_000)

	def test_price_and_method_come_from_the_product(self):
		product = make_product(interest_method="Annuity", annual_interest_rate=12, rounding_unit=1, fees=[])
		app = make_application(
			product=product,
			principal=10_000_000,
			tenor_months=12,
			interest_method="Flat",
			annual_interest_rate=1,
		)
		self.assertEqual((app.interest_method, app.annual_interest_rate), ("Annuity", 12))
		self.assertEqual(app.installment_amount, 888_488)  # 10M, 12%/yr, 12 months, annuity

	def test_outside_product_limits_is_refused(self):
		self.assertRaisesRegex(ProductLimitError, "Tenor", make_application, tenor_months=240)
		self.assertRaisesRegex(ProductLimitError, "Principal", make_application, principal=500)

	def test_submit_needs_verified_documents(self):
		app = make_application(member=make_member(verified=False))
		with as_user("sales"):
			from pinjaman_online.api.origination import submit

			self.assertRaises(DocumentsNotVerifiedError, submit, app.name)

	def test_precheck_is_stored_and_a_failed_check_blocks_approval(self):
		# 4.5M benefit; a 60M loan over 12 months needs ~5.9M a month: DSR fails.
		app = make_application(principal=60_000_000, tenor_months=12, submit=True)
		self.assertEqual(app.workflow_state, "Submitted")
		self.assertEqual(app.precheck_passed, 0)
		failed = {row.check_code for row in app.precheck_results if not row.passed}
		self.assertIn("DSR", failed)
		with as_user("analyst"):
			analyze(app.name, 60, "Reject", "DSR too high")
		with as_user("spv"):
			self.assertRaises(frappe.PermissionError, decide, app.name, "approve")
			# a reject needs its reason, through the API and through Frappe's workflow action alike
			self.assertRaises(CommitteeReasonRequiredError, decide, app.name, "reject", " ")
			self.assertRaises(
				CommitteeReasonRequiredError,
				frappe.model.workflow.apply_workflow,
				frappe.get_doc("Loan Application", app.name),
				"Reject",
			)
			self.assertEqual(decide(app.name, "reject", "DSR di atas batas")["workflow_state"], "Rejected")
		app.reload()
		self.assertEqual(
			[(v.level, v.decision, v.notes) for v in app.committee_decisions],
			[("SPV", "Reject", "DSR di atas batas")],
		)

	def test_double_financing_is_refused_at_submit(self):
		member = make_member()
		make_application(member=member, submit=True)
		second = make_application(member=member)
		with as_user("sales"):
			from pinjaman_online.api.origination import submit

			self.assertRaises(DoubleFinancingError, submit, second.name)

	def test_committee_needs_a_complete_analysis(self):
		app = make_application(submit=True)
		with as_user("analyst"):
			frappe.model.workflow.apply_workflow(app, "Start Analysis")
			self.assertRaises(
				WorkflowTransitionError,
				frappe.model.workflow.apply_workflow,
				frappe.get_doc("Loan Application", app.name),
				"Send to Committee",
			)

	def test_two_levels_by_different_people_and_a_loan_on_approval(self):
		app = make_application(submit=True)
		with as_user("analyst"):
			analyze(app.name, 30, "Approve", "ok")
		with as_user("sales"):
			self.assertRaises(frappe.PermissionError, decide, app.name, "approve")
		with as_user("spv"):
			decide(app.name, "approve")
			# the SPV also holds the Manager role, but has voted already
			self.assertRaises(CommitteeVoteError, decide, app.name, "approve")
		with as_user("manager"):
			result = decide(app.name, "approve", notes="Approved")
		self.assertEqual(result["workflow_state"], "Approved")
		app.reload()
		self.assertEqual(
			[(v.level, v.decision) for v in app.committee_decisions],
			[("SPV", "Approve"), ("Manager", "Approve")],
		)
		loan = frappe.get_doc("Loan", app.loan)
		self.assertEqual(loan.status, "Pending Disbursement")
		self.assertEqual(frappe.db.count("Loan Installment", {"loan": loan.name}), app.tenor_months)
		total_principal = frappe.db.sql(
			"select sum(principal_amount) from `tabLoan Installment` where loan=%s", loan.name
		)[0][0]
		self.assertEqual(total_principal, app.principal)

	def test_nobody_approves_their_own_application(self):
		with as_user("spv"):
			app = make_application(submit=False)
		app.db_set("owner", make_staff("spv"))
		with as_user("sales"):
			from pinjaman_online.api.origination import submit

			submit(app.name)
		with as_user("analyst"):
			analyze(app.name, 30, "Approve", "ok")
		with as_user("spv"):
			self.assertRaisesRegex(frappe.ValidationError, "Self approval", decide, app.name, "approve")

	def test_large_principal_goes_to_the_director(self):
		product = make_product(max_principal=500_000_000)
		member = make_member(monthly_pension_benefit=20_000_000)
		app = make_application(
			member=member, product=product, principal=150_000_000, tenor_months=120, submit=True
		)
		self.assertEqual(app.requires_director_approval, 1)
		with as_user("analyst"):
			analyze(app.name, 20, "Approve", "ok")
		with as_user("spv"):
			decide(app.name, "approve")
		with as_user("manager"):
			self.assertEqual(decide(app.name, "approve")["workflow_state"], "Committee Director")
		with as_user("director"):
			self.assertEqual(decide(app.name, "approve")["workflow_state"], "Approved")

	def test_cancelling_an_approved_application_cancels_its_undisbursed_loan(self):
		app = approve(make_application(submit=True))
		with as_user("admin"):
			from pinjaman_online.api.origination import cancel

			cancel(app.name)
		self.assertEqual(frappe.db.get_value("Loan", app.loan, "status"), "Cancelled")
