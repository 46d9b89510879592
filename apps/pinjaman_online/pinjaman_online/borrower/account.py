"""The borrower's own account (seeds 000–003): forgotten password by OTP, password change, phone change with
re-verification, and payment history.

- **Forgotten password**: a code by SMS to the account's verified phone (the OTP budgets of registration),
  then the code and a new password. Unknown accounts get the same answer and no SMS (no enumeration).
- **A password reset or change ends every other session and token** (token sessions and desk sessions);
  a change keeps the session it was made from.
- **Phone change**: the new number receives a code; it replaces the old one only once verified.
OTP codes are purpose-bound (OTP Challenge ``purpose``): a reset code cannot verify a phone, nor the reverse.
"""

import frappe
from frappe import _
from frappe.sessions import clear_sessions
from frappe.utils.password import check_password, update_password

from pinjaman_online import login_policy
from pinjaman_online.borrower import auth, registration
from pinjaman_online.utils import to_money

RESET, PHONE_CHANGE = "Password Reset", "Phone Change"


def _user_for(login: str) -> str | None:
	from pinjaman_online.api.mobile import _resolve_login

	return _resolve_login(login)


def _check_login_form(login: str):
	"""417 for a ``login`` that is neither an e-mail address nor a phone number (a malformed request, which
	says nothing about whether an account exists)."""
	from frappe.utils import validate_email_address

	login = (login or "").strip()
	if "@" in login and validate_email_address(login):
		return
	if "@" not in login:
		try:
			registration.normalize_phone(login)
			return
		except frappe.ValidationError:
			frappe.clear_messages()
	frappe.throw(_("Enter the e-mail address or phone number of the account"), frappe.ValidationError)


def request_password_reset(login: str) -> dict:
	"""Send a reset code to the verified phone of the account ``login`` (e-mail or phone). Always answers
	``{"sent": True, "expires_in": seconds}``, whether the account exists or not and whatever became of the
	code: a phone past its OTP budget (cooldown, ceiling) gets no new code, and an SMS gateway that fails is
	recorded in the Exception Log (source Provider), but neither changes the answer, which would otherwise
	tell a stranger that the account exists. The endpoint's per-address rate limit still applies (429)."""
	from pinjaman_online.integrations.sms import SmsError
	from pinjaman_online.monitoring import record_exception

	ttl = int(registration.settings().otp_ttl_seconds)
	_check_login_form(login)
	user = _user_for(login)
	phone = user and frappe.db.get_value("User", user, "mobile_no")
	if not user or not phone or not login_policy.phone_verified(user) or login_policy.refusal(user):
		return {"sent": True, "expires_in": ttl}
	frappe.db.savepoint("password_reset_code")
	try:
		registration.send_otp(phone, user, purpose=RESET)
	except registration.OtpLimitError:
		frappe.clear_messages()
	except SmsError as error:
		frappe.db.rollback(save_point="password_reset_code")  # no code kept that nobody received
		frappe.clear_messages()
		record_exception(
			"Password reset code not sent: SMS gateway error",
			source="Provider",
			severity="High",
			message=str(error),
			reference_doctype="User",
			reference_name=user,
		)
	return {"sent": True, "expires_in": ttl}


def reset_password(login: str, code: str, new_password: str) -> dict:
	"""Set a new password with the reset code sent to the account's phone; ends every session and token of
	the account. Raises OtpError (417) for a wrong, expired or spent code, and the password policy's error
	for a weak password."""
	_check_login_form(login)
	user = _user_for(login)
	phone = user and frappe.db.get_value("User", user, "mobile_no")
	if not user or not phone:
		frappe.throw(_("No pending code for this number: request a new one"), exc=registration.OtpError)
	registration.check_password_policy(new_password, [user, phone])
	registration.verify_otp(phone, code, purpose=RESET, user=user)
	update_password(user, new_password)
	revoked = end_sessions(user, _("Password reset"))
	login_policy.record_success(user)
	return {"reset": True, "sessions_ended": revoked}


def change_password(old_password: str, new_password: str) -> dict:
	"""Change the caller's password; every other session and token of the account ends (this one stays).
	Raises AuthenticationError (401) for a wrong current password."""
	claims = auth.current_claims()
	user = frappe.session.user
	try:
		check_password(user, old_password, delete_tracker_cache=False)
	except frappe.AuthenticationError:
		login_policy.record_failure(user)
		frappe.throw(_("The current password is wrong"), frappe.AuthenticationError)
	registration.check_password_policy(new_password, [user])
	update_password(user, new_password)
	return {"changed": True, "sessions_ended": end_sessions(user, _("Password changed"), keep=claims["sid"])}


def end_sessions(user: str, reason: str, keep: str | None = None) -> int:
	"""End every token session of ``user`` but ``keep`` (a session id) and every desk session; returns the
	number of refresh tokens revoked."""
	families = frappe.get_all(
		"Refresh Token", {"user": user, "status": "Active"}, pluck="family", distinct=True
	)
	revoked = sum(auth.revoke_family(f, reason) for f in families if f != keep)
	clear_sessions(user, keep_current=False, force=True)
	return revoked


def request_phone_change(new_phone: str) -> dict:
	"""Send a code to ``new_phone`` for the caller's account; the number changes once the code is verified
	(:func:`confirm_phone_change`). Raises 417 when the number belongs to another account."""
	auth.current_claims()
	user = frappe.session.user
	phone = registration.normalize_phone(new_phone)
	other = frappe.db.get_value("User", {"mobile_no": phone, "name": ("!=", user)}, "name")
	if other:
		frappe.throw(_("This phone number is registered to another account"), frappe.ValidationError)
	return registration.send_otp(phone, user, purpose=PHONE_CHANGE) | {"sent": True}


def confirm_phone_change(new_phone: str, code: str) -> dict:
	"""Verify the code sent to ``new_phone`` and make it the caller's phone (User and Member)."""
	auth.current_claims()
	user = frappe.session.user
	phone = registration.normalize_phone(new_phone)
	registration.verify_otp(phone, code, purpose=PHONE_CHANGE, user=user)
	frappe.db.set_value("User", user, "mobile_no", phone)
	member = frappe.db.get_value("Member", {"user": user}, "name")
	if member:
		frappe.db.set_value("Member", member, "phone", phone)
	return {"phone": phone, "verified": True}


def payment_history(loan: str | None = None, start: int = 0, limit: int = 20) -> dict:
	"""The caller's payments, newest first: ``{"data": [{"payment", "loan", "posting_date", "amount"
	(Rupiah), "payment_method", "reference_no", "principal", "interest", "penalty", "status": "Posted" |
	"Reversed"}], "total": n}``; ``loan`` narrows to one of the caller's loans (404 for anyone else's)."""
	auth.current_claims()
	member = frappe.db.get_value("Member", {"user": frappe.session.user}, "name")
	if not member:
		return {"data": [], "total": 0}
	filters = {"member": member, "docstatus": ("in", (1, 2))}
	if loan:
		if frappe.db.get_value("Loan", loan, "member") != member:
			frappe.throw(_("Loan {0} not found").format(loan), frappe.DoesNotExistError)
		filters["loan"] = loan
	rows = frappe.get_all(
		"Loan Payment",
		filters=filters,
		fields=[
			"name",
			"loan",
			"posting_date",
			"amount",
			"payment_method",
			"reference_no",
			"total_principal",
			"total_interest",
			"total_penalty",
			"docstatus",
		],
		order_by="posting_date desc, creation desc",
		limit_start=start,
		limit_page_length=limit,
	)
	total = frappe.db.count("Loan Payment", filters)
	return {
		"data": [
			{
				"payment": r.name,
				"loan": r.loan,
				"posting_date": str(r.posting_date),
				"amount": int(to_money(r.amount or 0)),
				"payment_method": r.payment_method,
				"reference_no": r.reference_no,
				"principal": int(to_money(r.total_principal or 0)),
				"interest": int(to_money(r.total_interest or 0)),
				"penalty": int(to_money(r.total_penalty or 0)),
				"status": "Posted" if r.docstatus == 1 else "Reversed",
			}
			for r in rows
		],
		"total": total,
	}
