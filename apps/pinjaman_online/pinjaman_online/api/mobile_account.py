"""Borrower mobile API, the account (seeds 000–003): forgotten password, password change, phone change and
payment history. See ``pinjaman_online.borrower.account``; the contract is in ``api/openapi/60_account.json``."""

import frappe
from frappe.rate_limiter import rate_limit

from pinjaman_online.api import Limit, Start, endpoint
from pinjaman_online.borrower import account, auth

HOUR = 3600


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
@endpoint
def forgot_password(login: str) -> dict:
	"""`POST /password/forgot`: a reset code by SMS to the account's verified phone (same answer for any
	``login``, e-mail or phone)."""
	return account.request_password_reset(login)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
@endpoint
def reset_password(login: str, code: str, new_password: str) -> dict:
	"""`POST /password/reset`: the reset code and a new password; every session and token of the account
	ends."""
	return account.reset_password(login, code, new_password)


@frappe.whitelist(methods=["POST"])
@endpoint
def change_password(old_password: str, new_password: str) -> dict:
	"""`POST /password/change`: the current and a new password; every other session and token ends."""
	return account.change_password(old_password, new_password)


@frappe.whitelist(methods=["POST"])
@endpoint
def change_phone(phone: str) -> dict:
	"""`POST /users/profile/phone`: send a code to the new number (it replaces the old one once verified)."""
	return account.request_phone_change(phone)


@frappe.whitelist(methods=["POST"])
@endpoint
def confirm_phone(phone: str, code: str) -> dict:
	"""`POST /users/profile/phone/verify`: the code sent to the new number; the number becomes the
	account's."""
	return account.confirm_phone_change(phone, code)


@frappe.whitelist(methods=["GET"])
@endpoint
def payments(loan: str | None = None, start: Start = 0, limit: Limit = 20) -> dict:
	"""`GET /payments`: the borrower's own payments, newest first (posted and reversed)."""
	return account.payment_history(loan, start, limit)
