"""Child-row controllers that know their parent record when loaded on their own.

Frappe 15.44 checks a child row loaded by name (``/api/resource/<child>/<name>``, ``/api/v2``, ``frappe.client.get``)
against its parent *doctype* only: ``frappe.permissions.has_child_permission`` passes the row's ``parent_doc``
to the parent's check, and a row loaded on its own has none, so any user who reads the parent doctype reads
every row of every record. Here a stored row's ``parent_doc`` loads its parent record, so the check is the
parent *record's* (role permissions, User Permissions, the app's has_permission hooks). Registered for every
child doctype of the app in hooks.py ``override_doctype_class``; needed on v15 up to at least 15.44.2, harmless
where Frappe already resolves the parent.
"""

import frappe
from frappe.model.base_document import BaseDocument

from pinjaman_online.accounting.doctype.ledger_account_mapping.ledger_account_mapping import (
	LedgerAccountMapping,
)
from pinjaman_online.billing.doctype.pension_fund_file_column.pension_fund_file_column import (
	PensionFundFileColumn,
)
from pinjaman_online.borrower.doctype.kyc_status_history.kyc_status_history import KYCStatusHistory
from pinjaman_online.funding.doctype.funder_settlement_line.funder_settlement_line import FunderSettlementLine
from pinjaman_online.funding.doctype.loan_product_funder.loan_product_funder import LoanProductFunder
from pinjaman_online.members.doctype.member_bank_account.member_bank_account import MemberBankAccount
from pinjaman_online.members.doctype.member_contact.member_contact import MemberContact
from pinjaman_online.members.doctype.member_document.member_document import MemberDocument
from pinjaman_online.origination.doctype.application_document.application_document import ApplicationDocument
from pinjaman_online.origination.doctype.committee_decision.committee_decision import CommitteeDecision
from pinjaman_online.origination.doctype.credit_score_line.credit_score_line import CreditScoreLine
from pinjaman_online.origination.doctype.credit_scorecard_bin.credit_scorecard_bin import CreditScorecardBin
from pinjaman_online.origination.doctype.eligibility_check.eligibility_check import EligibilityCheck
from pinjaman_online.pinjaman_online.doctype.required_member_document.required_member_document import (
	RequiredMemberDocument,
)
from pinjaman_online.products.doctype.loan_product_fee.loan_product_fee import LoanProductFee
from pinjaman_online.sales.doctype.sales_commission_rate.sales_commission_rate import SalesCommissionRate
from pinjaman_online.servicing.doctype.loan_payment_allocation.loan_payment_allocation import (
	LoanPaymentAllocation,
)
from pinjaman_online.servicing.doctype.loan_settlement_adjustment.loan_settlement_adjustment import (
	LoanSettlementAdjustment,
)


class ParentRecordRow:
	"""Mixin of a child doctype's controller: ``parent_doc`` of a row loaded on its own (no parent set by
	``append``) is its stored parent record, loaded once; None when the row has no parent or it is gone."""

	@property
	def parent_doc(self):
		doc = BaseDocument.parent_doc.fget(self)
		if doc is not None or not self.get("parenttype") or not self.get("parent"):
			return doc
		try:
			doc = frappe.get_doc(self.parenttype, self.parent)
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
			return None
		self._parent_doc = doc
		return doc

	@parent_doc.setter
	def parent_doc(self, value):
		self._parent_doc = value

	@parent_doc.deleter
	def parent_doc(self):
		self._parent_doc = None


class PensionFundFileColumnRow(ParentRecordRow, PensionFundFileColumn):
	pass


class CreditScoreLineRow(ParentRecordRow, CreditScoreLine):
	pass


class CreditScorecardBinRow(ParentRecordRow, CreditScorecardBin):
	pass


class KYCStatusHistoryRow(ParentRecordRow, KYCStatusHistory):
	pass


class FunderSettlementLineRow(ParentRecordRow, FunderSettlementLine):
	pass


class LoanProductFunderRow(ParentRecordRow, LoanProductFunder):
	pass


class MemberBankAccountRow(ParentRecordRow, MemberBankAccount):
	pass


class MemberContactRow(ParentRecordRow, MemberContact):
	pass


class MemberDocumentRow(ParentRecordRow, MemberDocument):
	pass


class ApplicationDocumentRow(ParentRecordRow, ApplicationDocument):
	pass


class CommitteeDecisionRow(ParentRecordRow, CommitteeDecision):
	pass


class EligibilityCheckRow(ParentRecordRow, EligibilityCheck):
	pass


class RequiredMemberDocumentRow(ParentRecordRow, RequiredMemberDocument):
	pass


class LoanProductFeeRow(ParentRecordRow, LoanProductFee):
	pass


class SalesCommissionRateRow(ParentRecordRow, SalesCommissionRate):
	pass


class LoanPaymentAllocationRow(ParentRecordRow, LoanPaymentAllocation):
	pass


class LoanSettlementAdjustmentRow(ParentRecordRow, LoanSettlementAdjustment):
	pass


class LedgerAccountMappingRow(ParentRecordRow, LedgerAccountMapping):
	pass
