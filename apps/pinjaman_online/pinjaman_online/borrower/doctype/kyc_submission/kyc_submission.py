"""KYC Submission: a borrower's identity check. Logic in ``pinjaman_online.borrower.kyc``."""

import frappe

from pinjaman_online.borrower import kyc
from pinjaman_online.permissions import SystemFieldsDocument


class KYCSubmission(SystemFieldsDocument):
	def validate(self):
		kyc.track_status(self)

	def on_update(self):
		kyc.publish_decision(self)

	@frappe.whitelist()
	def approve(self, reason: str | None = None) -> dict:
		"""Desk (reviewer): verify the borrower's identity after looking at the KTP and the selfie."""
		return kyc.review(self, "approve", reason)

	@frappe.whitelist()
	def reject(self, reason: str) -> dict:
		"""Desk (reviewer): reject with a reason the borrower reads (in Indonesian); they may upload again."""
		return kyc.review(self, "reject", reason)

	@frappe.whitelist()
	def retry_verification(self) -> dict:
		"""Desk (reviewer): ask the e-KYC provider again (e.g. after an outage)."""
		return kyc.retry(self)
