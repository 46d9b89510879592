"""Borrower self-registration and phone verification by OTP (seed 001 wireframe "Registrasi").

Registration creates a Frappe User (role Member), its Member (registration channel Mobile App, birth date
and gender read from the NIK) and a Pending KYC Submission holding the NIK encrypted (Password field) with a
keyed lookup hash, and records the consents given (``borrower/consents.py``). The phone is verified by an
OTP sent over the SMS adapter; login needs it verified.

One person is one member (``members/identity.py``): a NIK already registered in the app is refused; the NIK
of a member registered by staff, with the phone the cooperative has on file, gets the account but no new
member: the account is linked to that member when the phone is verified by its OTP.

OTP sends have budgets that an outsider who knows the number cannot use up for its owner
(``lending/throttle.otp_send_decision``): a budget per phone and client address, a larger ceiling per phone,
and a cooldown between two sends. A new code does not void the codes already sent: each stays valid until
it expires, so asking for codes for someone else's number never cancels the owner's code.
"""

import time

import frappe
import phonenumbers
from frappe import _
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import update_password
from frappe.utils.password_strength import test_password_strength

from pinjaman_online import login_policy
from pinjaman_online.borrower.auth import settings, site_secret
from pinjaman_online.lending import credentials as cred
from pinjaman_online.lending import throttle
from pinjaman_online.lending.errors import InvalidNIK
from pinjaman_online.lending.nik import parse_nik

# The OTP SMS text is the "otp" Borrower Notification Template (borrower/notifications.py).


class RegistrationError(frappe.ValidationError):
	pass


class OtpError(frappe.ValidationError):
	pass


class OtpLimitError(frappe.RateLimitExceededError):
	"""HTTP 429: no new code for this phone now (cooldown, this client's budget, the phone's ceiling)."""


# Codes checked by verify_otp: the newest pending, unexpired challenges of the phone.
LIVE_CHALLENGES = 3


def normalize_phone(phone: str) -> str:
	"""An Indonesian mobile number in E.164 (+62…), from 08…, 628… or +628… (library: phonenumbers)."""
	try:
		number = phonenumbers.parse((phone or "").strip(), "ID")
	except phonenumbers.NumberParseException:
		number = None
	if (
		not number
		or not phonenumbers.is_valid_number(number)
		or number.country_code != 62
		or phonenumbers.number_type(number)
		not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
	):
		frappe.throw(_("{0} is not a valid Indonesian mobile number").format(phone), exc=RegistrationError)
	return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def nik_hash(nik: str) -> str:
	"""The keyed lookup hash of ``nik`` (``members/identity.py``)."""
	from pinjaman_online.members.identity import nik_hash as keyed

	return keyed(nik)


def check_password_policy(password: str, user_inputs: list[str]):
	s = settings()
	score = test_password_strength(password or "", user_inputs=user_inputs).get("score", 0)
	problems = cred.password_problems(
		password or "", score, int(s.min_password_score), int(s.min_password_length)
	)
	if problems:
		frappe.throw("; ".join(_(p) for p in problems), title=_("Weak password"), exc=RegistrationError)


def existing_member_to_link(lookup: str, phone: str, nik: str | None = None) -> str | None:
	"""The member a new account for the person with NIK hash ``lookup`` is linked to, or None when the person
	is new (``members/identity.py``). Refuses (RegistrationError, 417) a person who already has an account
	(a KYC Submission or a member linked to a user) and one whose member registered by staff has another phone
	on file than ``phone`` (E.164): the link is proven by the phone on file, verified by its OTP."""
	from pinjaman_online.members.identity import member_by_hash

	if frappe.db.exists("KYC Submission", {"nik_hash": lookup}):
		frappe.throw(_("This NIK is already registered"), exc=RegistrationError)
	member = member_by_hash(lookup) or (nik and frappe.db.get_value("Member", {"nik": nik}, "name"))
	if not member:
		return None
	user, member_phone = frappe.db.get_value("Member", member, ["user", "phone"])
	if user:
		frappe.throw(_("This NIK is already registered"), exc=RegistrationError)
	try:
		on_file = normalize_phone(member_phone) if member_phone else None
	except RegistrationError:
		on_file = None
	if on_file != phone:
		frappe.throw(
			_(
				"This NIK is already registered as a member of the cooperative. Register with the phone number "
				"the cooperative has on file, or ask the cooperative to update your phone number first"
			),
			title=_("Already a member"),
			exc=RegistrationError,
		)
	return member


def link_registered_member(user: str, phone: str) -> str | None:
	"""Link ``user`` to the member registered by staff that its registration found by NIK (its KYC
	Submission names it), once ``phone`` (E.164, just verified by OTP) is the member's phone on file and the
	member has no account yet. Returns the member linked, or None. The link is recorded as a comment."""
	if frappe.db.exists("Member", {"user": user}):
		return None
	member = frappe.db.get_value("KYC Submission", {"user": user}, "member", order_by="creation desc")
	if not member:
		return None
	doc = frappe.get_doc("Member", member, for_update=True)
	try:
		on_file = normalize_phone(doc.phone) if doc.phone else None
	except RegistrationError:
		on_file = None
	if doc.user or on_file != phone:
		return None
	doc.user = user
	doc.email = doc.email or frappe.db.get_value("User", user, "email")
	doc.flags.ignore_permissions = True
	doc.flags.ignore_mandatory = True
	doc.save()
	doc.add_comment(
		"Info", _("Linked to the mobile account {0}: the phone on file was verified by OTP").format(user)
	)
	from pinjaman_online.borrower import consents

	consents.attach_member(user, member)
	return member


def register(
	full_name: str,
	email: str,
	phone: str,
	nik: str,
	password: str,
	consent: bool,
	consent_list: list | None = None,
) -> dict:
	"""Create the borrower's account (module docstring); ``consent`` true agrees to every consent
	registration requires at its current version, ``consent_list`` names them (codes, or ``{"type",
	"version"}``) and may add optional ones (marketing). Refused (417) without the required consents."""
	from pinjaman_online.borrower import consents

	if not consent and not consent_list:
		frappe.throw(_("You must agree to the terms and conditions"), exc=RegistrationError)
	full_name = (full_name or "").strip()
	if not full_name:
		frappe.throw(_("Full name is required"), exc=RegistrationError)
	email = (frappe.utils.validate_email_address((email or "").strip(), throw=True) or "").lower()
	phone = normalize_phone(phone)
	nik = (nik or "").strip()
	try:
		info = parse_nik(nik)
	except InvalidNIK as exc:
		frappe.throw(_(str(exc)), title=_("Invalid NIK"), exc=RegistrationError)
	check_password_policy(password, [full_name, email, phone, nik])

	# One account per email, phone and NIK; the message never says whose.
	if frappe.db.exists("User", email) or frappe.db.exists("User", {"mobile_no": phone}):
		frappe.throw(_("This email or phone number is already registered"), exc=RegistrationError)
	lookup = nik_hash(nik)
	existing = existing_member_to_link(lookup, phone, nik)
	given = consents.given_at_registration(consent, consent_list)

	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": full_name,
			"mobile_no": phone,
			"send_welcome_email": 0,
			"user_type": "Website User",
			"roles": [{"role": "Member"}],
		}
	)
	user.flags.ignore_permissions = True
	user.insert()
	update_password(user.name, password)

	if existing:
		member = frappe.get_doc("Member", existing)  # linked once the phone on file is verified (verify_otp)
	else:
		member = frappe.get_doc(
			{
				"doctype": "Member",
				"full_name": full_name,
				# no "nik": the member's NIK is personal data, kept encrypted in the KYC Submission only
				"nik_hash": lookup,
				"gender": info.gender,
				"birth_date": info.birth_date,
				"phone": phone,
				"email": email,
				"user": user.name,
				"status": "Active",
				"registration_channel": "Mobile App",
			}
		)
		member.flags.ignore_permissions = True
		member.flags.ignore_mandatory = True  # pension fields: a self-registered borrower has none
		member.insert()

	frappe.get_doc(
		{
			"doctype": "KYC Submission",
			"member": member.name,
			"user": user.name,
			"status": "Pending",
			"nik": nik,
			"nik_hash": lookup,
			"nik_masked": cred.mask_nik(nik),
		}
	).insert(ignore_permissions=True)
	consents.record(
		user.name, None if existing else member.name, given, consents.REGISTRATION, channel="Mobile App"
	)

	# An outsider may have asked for codes for this number before it was registered: the account is
	# created anyway, and the borrower asks for a code (POST /otp/request) once the budget allows.
	sent = otp_decision(phone) == throttle.OTP_SEND
	if sent:
		count_otp_send(phone)
		expires_in = send_otp(phone, user.name, check_budget=False)["expires_in"]
	return {
		"user": user.name,
		"member": None if existing else member.name,
		"member_link": "pending_phone_verification" if existing else None,
		"phone": phone,
		"otp_sent": sent,
		"otp_expires_in": expires_in if sent else 0,
	}


def otp_policy() -> throttle.OtpPolicy:
	s = settings()
	return throttle.OtpPolicy(
		per_client_per_hour=max(int(s.otp_per_phone_per_hour or 0), 0),
		per_phone_per_hour=max(int(s.otp_per_phone_ceiling or 0), 0),
		cooldown=max(int(s.otp_resend_cooldown_seconds or 0), 0),
	)


def _otp_keys(phone: str) -> tuple[str, str, str]:
	ip = getattr(frappe.local, "request_ip", None) or "local"
	make = frappe.cache.make_key
	return (
		make(f"otp-budget:client:{phone}:{ip}"),
		make(f"otp-budget:phone:{phone}"),
		make(f"otp-budget:last:{phone}"),
	)


def otp_decision(phone: str) -> str:
	"""What ``lending/throttle.otp_send_decision`` says about one more OTP to ``phone`` from this client."""
	client_key, phone_key, last_key = _otp_keys(phone)
	last = frappe.cache.get(last_key)
	return throttle.otp_send_decision(
		int(frappe.cache.get(client_key) or 0),
		int(frappe.cache.get(phone_key) or 0),
		time.time() - float(last) if last else None,
		otp_policy(),
	)


def count_otp_send(phone: str):
	client_key, phone_key, last_key = _otp_keys(phone)
	for key in (client_key, phone_key):
		frappe.cache.set(key, 0, ex=3600, nx=True)  # the hour starts with its first send
		frappe.cache.incrby(key, 1)
	frappe.cache.set(last_key, time.time(), ex=3600)


def ensure_otp_budget(phone: str):
	"""Refuse (429, OtpLimitError) another OTP to ``phone`` from this client, else count it."""
	decision = otp_decision(phone)
	if decision == throttle.OTP_COOLDOWN:
		frappe.throw(
			_("A code was sent to this number less than {0} seconds ago: use it or wait").format(
				otp_policy().cooldown
			),
			OtpLimitError,
			title=_("Try again later"),
		)
	if decision != throttle.OTP_SEND:
		frappe.throw(
			_("Too many codes requested for this number: try again later"),
			OtpLimitError,
			title=_("Try again later"),
		)
	count_otp_send(phone)


def send_otp(phone: str, user: str, check_budget: bool = True, purpose: str = "Registration") -> dict:
	"""A new OTP for the phone, within the OTP budgets (``ensure_otp_budget``); codes sent before stay valid
	until they expire. ``purpose`` (OTP Challenge: Registration, Password Reset, Phone Change) binds the code:
	it verifies only for the same purpose."""
	from pinjaman_online.borrower.notifications import send_otp_sms

	s = settings()
	if check_budget:
		ensure_otp_budget(phone)
	code = cred.new_otp(int(s.otp_length))
	doc = frappe.get_doc(
		{
			"doctype": "OTP Challenge",
			"phone": phone,
			"user": user,
			"purpose": purpose,
			"status": "Pending",
			"expires_on": add_to_date(now_datetime(), seconds=int(s.otp_ttl_seconds)),
			"attempts": 0,
		}
	)
	doc.insert(ignore_permissions=True)
	doc.db_set("code_hash", cred.otp_hash(site_secret("otp"), doc.name, code))
	minutes = max(int(s.otp_ttl_seconds) // 60, 1)
	send_otp_sms(phone, user, code, minutes)  # the "otp" notification template, by SMS
	return {"challenge": doc.name, "expires_in": int(s.otp_ttl_seconds)}


def resend_otp(phone: str) -> dict:
	"""Send a new OTP to a registered, not yet verified phone. Unknown or verified phones get the same
	answer, and the same budgets, without an SMS (no account enumeration)."""
	phone = normalize_phone(phone)
	ensure_otp_budget(phone)
	user = frappe.db.get_value("User", {"mobile_no": phone}, "name")
	if user and not phone_verified(user):
		return send_otp(phone, user, check_budget=False) | {"sent": True}
	return {"sent": True, "expires_in": int(settings().otp_ttl_seconds)}


def verify_otp(phone: str, code: str, purpose: str = "Registration", user: str | None = None) -> dict:
	"""Verify the phone with ``code``, checked against each of its newest pending codes of ``purpose`` (and
	of ``user`` when given; up to LIVE_CHALLENGES): a wrong code counts one attempt on each of them (each
	locks after Borrower Settings' attempts), an expired one is closed. Raises OtpError (417) when no code
	matches."""
	phone = normalize_phone(phone)
	s = settings()
	filters = {"phone": phone, "status": "Pending", "purpose": purpose}
	if user:
		filters["user"] = user
	names = frappe.get_all(
		"OTP Challenge",
		filters,
		pluck="name",
		order_by="creation desc",
		limit=LIVE_CHALLENGES,
	)
	if not names:
		frappe.throw(_("No pending code for this number: request a new one"), exc=OtpError)
	outcomes = []
	for name in names:
		doc = frappe.get_doc("OTP Challenge", name, for_update=True)
		state = cred.OtpState(
			code_hash=doc.code_hash or "",
			expires_at=frappe.utils.get_datetime(doc.expires_on),
			attempts=int(doc.attempts or 0),
			max_attempts=int(s.otp_max_attempts),
		)
		outcome = cred.check_otp(state, site_secret("otp"), doc.name, code, now_datetime())
		if outcome == cred.OTP_OK:
			doc.db_set({"status": "Verified", "verified_on": now_datetime()})
			otp = frappe.qb.DocType("OTP Challenge")
			frappe.qb.update(otp).set(otp.status, "Expired").where(
				(otp.phone == phone) & (otp.status == "Pending") & (otp.purpose == purpose)
			).run()
			if purpose == "Registration" and doc.user:
				link_registered_member(doc.user, phone)
			return {"verified": True, "user": doc.user}
		if outcome == cred.OTP_WRONG:
			attempts = state.attempts + 1
			doc.db_set(
				{"attempts": attempts, "status": "Locked" if attempts >= state.max_attempts else "Pending"}
			)
		elif outcome == cred.OTP_EXPIRED:
			doc.db_set("status", "Expired")
		else:
			doc.db_set("status", "Locked")
		outcomes.append(outcome)
	if cred.OTP_WRONG in outcomes:
		message = _("Wrong code")
	elif cred.OTP_EXPIRED in outcomes:
		message = _("The code has expired: request a new one")
	else:
		message = _("Too many wrong codes: request a new one")
	frappe.db.commit()  # the attempt counts although the request fails
	frappe.throw(message, exc=OtpError)


def phone_verified(user: str) -> bool:
	return login_policy.phone_verified(user)
