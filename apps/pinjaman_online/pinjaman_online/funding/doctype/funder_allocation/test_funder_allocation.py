from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, today
from frappe.utils.file_manager import save_file

from pinjaman_online.api.funding import allocate, end
from pinjaman_online.funding.doctype.funder_allocation.funder_allocation import (
	AllocationError,
	ShareExceededError,
)
from pinjaman_online.funding.doctype.funder_contract.funder_contract import FunderContractError
from pinjaman_online.funding.utils import FunderNotAllowedError
from pinjaman_online.tests.factories import (
	as_user,
	make_active_loan,
	make_allocation,
	make_application,
	make_contract,
	make_funder,
	make_product,
)


class TestFunderAllocation(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.bank, cls.kop = make_funder(), make_funder(funder_type="Cooperative")
		cls.bank_fronting = make_contract(cls.bank, scheme="Fronting")
		cls.bank_part = make_contract(cls.bank, scheme="Participation")
		cls.kop_part = make_contract(cls.kop, scheme="Participation", interest_share_pct=90)
		cls.kop_channeling = make_contract(cls.kop, scheme="Channeling")

	def test_full_partial_and_assignment(self):
		full, shared, assigned = (make_active_loan(principal=24_000_000) for _ in range(3))
		with as_user("finance"):
			self.assertEqual(
				allocate(full.name, self.bank.name, self.bank_fronting.name, "Full")["share_pct"], "100"
			)
			first = allocate(shared.name, self.bank.name, self.bank_part.name, "Partial", share_pct=60)
			second = allocate(
				shared.name, self.kop.name, self.kop_part.name, "Partial", share_amount=6_000_000
			)
			third = allocate(assigned.name, self.kop.name, self.kop_channeling.name, "Assignment")
		self.assertEqual(Decimal(first["share_amount"]), Decimal(14_400_000))
		self.assertEqual(Decimal(second["share_pct"]), Decimal(25))
		self.assertEqual(third["status"], "Active")
		comments = frappe.get_all(
			"Comment", filters={"reference_name": assigned.name, "comment_type": "Info"}, pluck="content"
		)
		self.assertTrue(any("assigned to funder" in c for c in comments))

	def test_shares_of_one_loan_never_exceed_100_percent(self):
		loan = make_active_loan()
		make_allocation(loan, self.bank_part, "Partial", share_pct=60)
		with as_user("finance"):
			self.assertRaises(
				ShareExceededError,
				allocate,
				loan.name,
				self.kop.name,
				self.kop_part.name,
				"Partial",
				share_pct=41,
			)
			self.assertRaises(
				ShareExceededError, allocate, loan.name, self.kop.name, self.kop_channeling.name, "Assignment"
			)
			allocate(loan.name, self.kop.name, self.kop_part.name, "Partial", share_pct=40)
		self.assertEqual(frappe.db.count("Funder Allocation", {"loan": loan.name, "docstatus": 1}), 2)

	def test_ending_keeps_history_and_frees_the_share(self):
		loan = make_active_loan()
		first = make_allocation(loan, self.bank_fronting, "Full", effective_date=add_days(today(), -10))
		with as_user("finance"):
			self.assertRaises(
				ShareExceededError, allocate, loan.name, self.kop.name, self.kop_channeling.name, "Assignment"
			)
			ended = end(first.name, today(), "Sold to another funder")
			allocate(loan.name, self.kop.name, self.kop_channeling.name, "Assignment", effective_date=today())
		self.assertEqual((ended["status"], ended["end_date"]), ("Ended", today()))
		reopened = frappe.get_doc("Funder Allocation", first.name)
		reopened.update({"status": "Active", "end_date": None})
		self.assertRaises(AllocationError, reopened.save)  # history is not edited
		history = frappe.get_all(
			"Funder Allocation", filters={"loan": loan.name}, fields=["funder", "status"], order_by="creation"
		)
		self.assertEqual(
			[(h.funder, h.status) for h in history], [(self.bank.name, "Ended"), (self.kop.name, "Active")]
		)

	def test_scheme_and_contract_rules(self):
		loan = make_active_loan()
		with as_user("finance"):
			# A partial share needs a participation contract; an assignment a fronting / channeling one.
			self.assertRaises(
				AllocationError,
				allocate,
				loan.name,
				self.bank.name,
				self.bank_fronting.name,
				"Partial",
				share_pct=50,
			)
			self.assertRaises(
				AllocationError, allocate, loan.name, self.kop.name, self.kop_part.name, "Assignment"
			)
			# Another funder's contract, and an unsigned one, are refused.
			self.assertRaises(
				AllocationError, allocate, loan.name, self.bank.name, self.kop_part.name, "Full"
			)
			draft = make_contract(self.bank, submit=False)
			self.assertRaises(AllocationError, allocate, loan.name, self.bank.name, draft.name, "Full")
			expired = make_contract(self.bank, valid_from="2020-01-01", valid_to="2020-12-31")
			self.assertRaises(AllocationError, allocate, loan.name, self.bank.name, expired.name, "Full")
		with as_user("sales"):
			self.assertRaises(
				frappe.PermissionError, allocate, loan.name, self.bank.name, self.bank_fronting.name, "Full"
			)

	def test_locked_product_is_funded_only_by_its_funders(self):
		product = make_product(allowed_funders=[{"funder": self.bank.name}])
		self.assertRaises(FunderNotAllowedError, make_application, product=product, funder=self.kop.name)
		loan = make_active_loan(product=product, funder=self.bank.name)
		with as_user("finance"):
			self.assertRaises(
				FunderNotAllowedError, allocate, loan.name, self.kop.name, self.kop_channeling.name, "Full"
			)
			allocate(loan.name, self.bank.name, self.bank_fronting.name, "Full")

	def test_contract_must_be_signed_private_file_with_sane_fees(self):
		contract = make_contract(self.bank, submit=False, contract_file=None)
		self.assertRaises(FunderContractError, contract.submit)
		public = save_file("pks.pdf", b"%PDF public", "Funder Contract", contract.name, is_private=0)
		contract.reload()
		contract.contract_file = public.file_url
		self.assertRaises(FunderContractError, contract.save)
		self.assertRaises(
			frappe.ValidationError, make_contract, self.bank, fee_originator_pct=60, fee_servicing_pct=50
		)
