"""Mobile apply and the credit engine (LoanApplied handler) against a fake credit bureau: approve (loan and
schedule through create_loan, Bank Transfer), reject, refer, bureau down, idempotent reruns; apply refusals;
the Online Loan product's pre-check; scorecard validation."""

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_years, getdate, today

from pinjaman_online.borrower import loans
from pinjaman_online.origination.decision import decide_application, on_loan_applied
from pinjaman_online.products.utils import ProductLimitError
from pinjaman_online.tests.factories import nik_for
from pinjaman_online.tests.fake_gateway import FakeGateway

SETTINGS = "Borrower Settings"


def make_borrower(kyc: str = "Verified", age: int = 32):
	"""A self-registered borrower: User (role Member), Member (Mobile App), a KYC Submission in ``kyc``."""
	birth = getdate(add_years(today(), -age))
	email = f"borrower-{frappe.generate_hash(length=8)}@test.example"
	frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Siti Aminah",
			"send_welcome_email": 0,
			"user_type": "Website User",
			"roles": [{"role": "Member"}],
		}
	).insert(ignore_permissions=True)
	member = frappe.get_doc(
		{
			"doctype": "Member",
			"full_name": "Siti Aminah",
			"nik": nik_for(birth, "Female"),
			"gender": "Female",
			"birth_date": birth,
			"user": email,
			"status": "Active",
			"registration_channel": "Mobile App",
		}
	)
	member.flags.ignore_mandatory = True
	member.insert(ignore_permissions=True)
	values = {"doctype": "KYC Submission", "member": member.name, "user": email, "status": kyc}
	if kyc == "Rejected":
		values["rejection_reason"] = "Foto KTP buram"
	frappe.get_doc(values).insert(ignore_permissions=True)
	return email


class TestMobileLoans(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.bureau = FakeGateway()
		cls.answers = {}  # NIK -> (status, body)
		cls.bureau.route(
			"POST",
			"/credit-reports",
			lambda req: cls.answers.get(
				req.json["nik"], (200, {"report_id": "r-1", "score": 720, "max_dpd": 0, "flags": []})
			),
		)
		frappe.db.set_single_value(SETTINGS, {"bureau_base_url": cls.bureau.url})
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	@classmethod
	def tearDownClass(cls):
		cls.bureau.stop()
		super().tearDownClass()

	def apply(self, user, amount=5_000_000, tenor=6, **kw):
		previous = frappe.session.user
		frappe.set_user(user)
		try:
			kw.setdefault("monthly_income", 8_000_000)
			kw.setdefault("occupation", "Employee")
			return loans.apply(user, amount, tenor, "Modal usaha", True, **kw)
		finally:
			frappe.set_user(previous)

	def run_engine(self, user, application):
		"""The RQ job as it runs: as the user who published LoanApplied."""
		previous = frappe.session.user
		frappe.set_user(user)
		try:
			on_loan_applied({"event_id": "e-1", "user_id": user, "loan_id": application, "amount": 1})
		finally:
			frappe.set_user(previous)
		return frappe.get_doc("Loan Application", application)

	def bureau_says(self, user, status, body):
		from pinjaman_online.borrower.kyc import member_nik

		nik = member_nik(frappe.db.get_value("Member", {"user": user}, "name"))
		self.answers[nik] = (status, body)

	def test_apply_submits_with_the_online_products_checks(self):
		user = make_borrower()
		out = self.apply(user)
		self.assertEqual((out["status"], out["workflow_state"]), ("SUBMITTED", "Submitted"))
		app = frappe.get_doc("Loan Application", out["application"])
		self.assertEqual(
			(app.owner, app.application_channel, app.loan_product), (user, "Mobile App", "Pinjaman Online")
		)
		self.assertEqual(app.repayment_method, "Bank Transfer")
		# No pension benefit, yet the pre-check passes: the Online Loan product leaves out the pension rules.
		self.assertEqual(
			{r.check_code for r in app.precheck_results}, {"AGE_AT_MATURITY", "DOUBLE_FINANCING"}
		)
		self.assertEqual(app.precheck_passed, 1)

	def test_approve_books_the_loan_and_schedule(self):
		user = make_borrower()
		app = self.run_engine(user, self.apply(user)["application"])
		self.assertEqual((app.workflow_state, app.credit_decision), ("Approved", "Approve"))
		loan = frappe.get_doc("Loan", app.loan)
		self.assertEqual((loan.status, loan.repayment_method), ("Pending Disbursement", "Bank Transfer"))
		self.assertEqual(frappe.db.count("Loan Installment", {"loan": loan.name}), 6)
		result = frappe.get_doc("Credit Score Result", app.name)
		self.assertEqual(
			(result.decision, result.bureau_status, result.bureau_score), ("Approve", "Available", 720)
		)
		self.assertEqual(result.score, 300 + sum(line.points for line in result.lines))
		self.assertIn("BUREAU_SCORE", {line.characteristic for line in result.lines})
		self.assertEqual(loans.status(user)["latest"]["status"], "APPROVED")

	def test_bureau_flag_rejects_with_a_reason(self):
		user = make_borrower()
		self.bureau_says(user, 200, {"report_id": "r-2", "score": 720, "max_dpd": 0, "flags": ["fraud"]})
		app = self.run_engine(user, self.apply(user)["application"])
		self.assertEqual((app.workflow_state, app.loan), ("Rejected", None))
		latest = loans.status(user)["latest"]
		self.assertEqual(latest["status"], "REJECTED")
		self.assertNotIn("FRAUD", latest["reason"])  # the borrower is not shown the engine's internals
		self.assertIn("FRAUD", frappe.db.get_value("Credit Score Result", app.credit_score_result, "reason"))

	def test_middle_score_is_referred_to_an_analyst(self):
		user = make_borrower()
		self.bureau_says(user, 200, {"report_id": "r-3", "score": 550, "max_dpd": 0, "flags": []})
		app = self.run_engine(user, self.apply(user, monthly_income=4_000_000)["application"])
		self.assertEqual((app.workflow_state, app.credit_decision), ("Submitted", "Refer"))
		self.assertEqual(loans.status(user)["latest"]["status"], "SUBMITTED")

	def test_bureau_down_refers_and_is_logged(self):
		user = make_borrower()
		self.bureau_says(user, 503, {"error": "maintenance"})
		app = self.run_engine(user, self.apply(user)["application"])
		self.assertEqual((app.workflow_state, app.credit_decision), ("Submitted", "Refer"))
		result = frappe.get_doc("Credit Score Result", app.name)
		self.assertEqual((result.bureau_status, result.decision), ("Unavailable", "Refer"))
		self.assertIn("could not be reached", result.reason)

	def test_rerun_is_idempotent(self):
		user = make_borrower()
		name = self.apply(user)["application"]
		app = self.run_engine(user, name)
		app = self.run_engine(user, name)
		self.assertEqual(frappe.db.count("Credit Score Result", {"loan_application": name}), 1)
		self.assertEqual(frappe.db.count("Loan", {"loan_application": name}), 1)
		self.assertIsNone(decide_application(name))
		self.assertEqual(app.workflow_state, "Approved")

	def test_apply_refusals_and_idempotency_key(self):
		pending = make_borrower(kyc="Pending")
		self.assertRaises(frappe.ValidationError, self.apply, pending)
		rejected = make_borrower(kyc="Rejected")
		self.assertRaisesRegex(frappe.ValidationError, "Foto KTP buram", self.apply, rejected)
		user = make_borrower()
		self.assertRaises(ProductLimitError, self.apply, user, amount=12_000_001)
		self.assertRaises(ProductLimitError, self.apply, user, tenor=13)
		first = self.apply(user, request_id="req-1")
		again = self.apply(user, request_id="req-1")
		self.assertEqual((again["application"], again["replayed"]), (first["application"], True))
		self.assertRaises(loans.LoanConflictError, self.apply, user)
		self.run_engine(user, first["application"])  # approved: now an active (pending) loan
		self.assertRaisesRegex(loans.LoanConflictError, "active loan", self.apply, user)

	def test_dashboard_figures_come_from_the_schedule(self):
		user = make_borrower()
		app = self.run_engine(user, self.apply(user)["application"])
		board = loans.dashboard(user)  # approved, not disbursed: nothing owed yet
		self.assertEqual((board["remaining_debt"], board["next_due_date"]), ("0", None))
		self.assertEqual([(x["loan"], x["status"]) for x in board["loans"]], [(app.loan, "APPROVED")])
		from pinjaman_online.api.servicing import disburse

		loans.set_disbursement_account(
			app.member, {"bank_name": "BRI", "account_number": "0123456789", "account_holder": "Siti Aminah"}
		)
		disburse(app.loan)
		board = loans.dashboard(user)
		first = frappe.get_all(
			"Loan Installment",
			{"loan": app.loan},
			["due_date", "total_amount"],
			order_by="installment_number asc",
			limit=1,
		)[0]
		total = sum(frappe.get_all("Loan Installment", {"loan": app.loan}, pluck="total_amount"))
		self.assertEqual(float(board["remaining_debt"]), total)
		self.assertEqual(float(board["monthly_bill"]), app.installment_amount)
		self.assertEqual(board["next_due_date"], str(first.due_date))
		self.assertEqual(float(board["next_due"]["amount"]), first.total_amount)
		self.assertEqual([x["loan"] for x in board["loans"]], [app.loan])
		self.assertFalse(board["can_apply"])

	def test_inconsistent_scorecard_is_refused(self):
		card = frappe.copy_doc(frappe.get_doc("Credit Scorecard", "Default Online Scorecard"))
		card.scorecard_name = f"Broken {frappe.generate_hash(length=6)}"
		card.append("bins", {"characteristic": "AGE", "lower_bound": "30", "upper_bound": "40", "points": 5})
		self.assertRaisesRegex(frappe.ValidationError, "overlap", card.insert)
