"""Borrower mobile API: bills and repayment through the payment gateway (seed 002 §8.2 ``GET /api/v1/billing``;
seed 001 "Pembayaran/Pelunasan"). Logic in ``servicing/virtual_account.py``; amounts are strings of whole Rupiah.

Every endpoint but the gateway's webhook needs ``Authorization: Bearer <access token>``.
"""

import frappe

from pinjaman_online.api import Date, Limit, Money, endpoint
from pinjaman_online.borrower import auth
from pinjaman_online.servicing import virtual_account as payments


@frappe.whitelist(methods=["GET"])
@endpoint
def billing(upcoming: Limit = 3) -> dict:
	"""`GET /billing`: the borrower's bills — per active loan the overdue, due and next ``upcoming``
	installments with what is left of principal, interest and penalty; ``amount_due`` (overdue + current
	installment), ``outstanding``; overall ``total_due_now`` and ``next_due_date``. Own loans only."""
	auth.current_claims()
	return payments.bills(upcoming)


@frappe.whitelist(methods=["POST"])
@endpoint
def request_payment(loan: str, amount: Money | None = None) -> dict:
	"""`POST /payments`: open a virtual account to pay ``amount`` (whole Rupiah; default: the loan's amount
	due now, or its next installment) on one of the borrower's loans. Returns the Loan Payment Request (bank,
	VA number, expiry, status Pending). 404 an unknown loan or another's (the same answer), 417 amount not > 0
	or above the outstanding, 503 payment gateway unavailable (nothing is written)."""
	auth.current_claims()
	return payments.create_request(loan, amount)


@frappe.whitelist(methods=["GET"])
@endpoint
def payoff_quote(loan: str) -> dict:
	"""`GET /loans/{id}/payoff`: today's early-settlement quote of one of the borrower's loans, the figures
	staff get: outstanding ``principal``, ``interest`` accrued to today (unpaid past interest + the current
	period pro rata by days), unpaid ``penalty``, the product's ``early_settlement_fee``, the
	``waived_interest`` (later interest not collected) and ``total``; valid today only (``valid_until``).
	``outstanding`` is what paying every installment as scheduled would cost (future interest included).
	404 an unknown loan or another's (the same answer), 417 a loan that is not Active/Default."""
	auth.current_claims()
	return payments.settlement_quote(loan)


@frappe.whitelist(methods=["POST"])
@endpoint
def request_settlement(loan: str, amount: Money, as_of: Date) -> dict:
	"""`POST /loans/{id}/settlement`: open a virtual account for the payoff quoted today (``as_of`` = the
	quote's date, ``amount`` = its ``total``). Paying it settles the loan (Loan Settlement; waived interest
	is not collected). Asking again for the same quote returns the same Pending request. 409
	``QUOTE_EXPIRED`` (quote of another day) or ``QUOTE_CHANGED`` (not today's total): ask for a new quote;
	404, 417 as ``payoff_quote``; 503 payment gateway unavailable (nothing is written)."""
	auth.current_claims()
	return payments.create_settlement_request(loan, amount, as_of)


@frappe.whitelist(methods=["GET"])
@endpoint
def payment_status(payment_request: str) -> dict:
	"""`GET /payments/{id}`: one of the borrower's payment requests (Pending, Paid, Expired, Failed)."""
	auth.current_claims()
	return payments.get_request(payment_request)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@endpoint
def payment_webhook() -> dict:
	"""Payment gateway → us: a virtual-account payment (``payment.paid``) or its expiry/failure. The raw body
	must be signed: header ``X-Signature`` = hex HMAC-SHA256 with Borrower Settings' webhook secret (401
	otherwise, logged). Idempotent: a repeated delivery of one transaction posts nothing more and answers
	the same result."""
	body = frappe.request.get_data(cache=True) if frappe.request else b""
	signature = frappe.get_request_header(payments.SIGNATURE_HEADER)
	return payments.handle_webhook(body, signature)
