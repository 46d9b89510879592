"""Borrower mobile API, loans (seed 002 §8.2 ``/api/v1/loan/apply``, ``/api/v1/loan/status``; seed 001 wireframe
"Ajukan Pinjaman" and "Dashboard"). Every endpoint needs ``Authorization: Bearer <access token>`` and shows
only the borrower's own records. The logic is in ``borrower/loans.py``; the decision is the credit engine's
(``origination/decision.py``), asynchronously after ``LoanApplied``.
"""

import frappe

from pinjaman_online.api import Money, Months, endpoint
from pinjaman_online.borrower import auth, loans


@frappe.whitelist(methods=["POST"])
@endpoint
def apply(
	amount: Money,
	tenor_months: Months,
	consent: bool,
	purpose: str | None = None,
	monthly_income: Money | None = None,
	occupation: str | None = None,
	request_id: str | None = None,
	bank_name: str | None = None,
	account_number: str | None = None,
	account_holder: str | None = None,
	consents: list | str | None = None,
) -> dict:
	"""`POST /loan/apply`: apply for the mobile product (Borrower Settings ``mobile_loan_product``).

	``amount`` whole Rupiah and ``tenor_months`` within the product's limits (seed: max Rp 12.000.000, 12
	months), ``purpose``, ``consent`` true; ``monthly_income`` (Rupiah) and ``occupation`` feed the credit
	scorecard. Refused: KYC not verified (403, the rejection reason when rejected), an active loan or an
	application in progress (409), outside the product limits (417). An ``Idempotency-Key`` header (or
	``request_id``) makes a retried request return the first application (``replayed: true``).
	``bank_name``, ``account_number`` (6–20 digits) and ``account_holder``, given together, are the account the
	loan is disbursed to (the member's default account from then on).
	``consent`` true agrees to the credit bureau check of this application at its current text version;
	``consents`` names consents (codes or ``{"type", "version"}``). Refused while the borrower's consent to
	the terms or to personal data processing is withdrawn (417 ``CONSENT_WITHDRAWN``).
	Returns the application with status SUBMITTED and the ``event_id`` of LoanApplied."""
	auth.current_claims()
	key = frappe.get_request_header("Idempotency-Key") or request_id
	account = {"bank_name": bank_name, "account_number": account_number, "account_holder": account_holder}
	return loans.apply(
		frappe.session.user,
		amount,
		tenor_months,
		purpose,
		consent,
		monthly_income,
		occupation,
		key,
		account,
		consents,
	)


@frappe.whitelist(methods=["GET"])
@endpoint
def status() -> dict:
	"""`GET /loan/status`: the borrower's applications, newest first, each with its status (SUBMITTED,
	APPROVED, REJECTED, ACTIVE, PAID; seed 003 §6) and, when rejected, the reason."""
	auth.current_claims()
	return loans.status(frappe.session.user)


@frappe.whitelist(methods=["GET"])
@endpoint
def dashboard() -> dict:
	"""`GET /loan/dashboard`: remaining debt, monthly bill, next due date and amount, the apply limits of the
	mobile product, whether the borrower can apply now, and the loan history."""
	auth.current_claims()
	return loans.dashboard(frappe.session.user)
