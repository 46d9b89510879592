"""The borrower's account over HTTP (Tier 2): forgotten password by OTP to the verified phone (no account
enumeration, purpose-bound codes), a reset or change ends every other session and token, a phone change
takes effect only once the new number is verified, and the payment history shows only the borrower's own."""

import random

import pytest
from conftest import URL, book_loan, new_session
from test_mobile import PASSWORD, M, bearer, registered

A = "pinjaman_online.api.mobile_account."
NEW_PASSWORD = "Ganti#Sandi-2026!"


@pytest.fixture
def no_resend_wait(admin):
	"""A reset code asked for right after registration's code: the 60 s between sends is a rule of its own
	(tests/http/test_login_policy.py); here it is set to 0 and put back."""
	before = admin.get("Borrower Settings", "Borrower Settings")["otp_resend_cooldown_seconds"]
	admin.update("Borrower Settings", "Borrower Settings", {"otp_resend_cooldown_seconds": 0})
	yield
	admin.update("Borrower Settings", "Borrower Settings", {"otp_resend_cooldown_seconds": before})


def login(guest, email, password, expect=200):
	return guest.method(M + "login", expect=expect, login=email, password=password)


def test_forgot_password_resets_and_ends_every_session(guest, sms, no_resend_wait):
	ident = registered(guest, sms)
	phone_session = bearer(ident["tokens"]["access_token"])
	desk = new_session()
	assert desk.post(URL + "/api/method/login", json={"usr": ident["email"], "pwd": PASSWORD}, timeout=60).ok
	phone_session.method(M + "me", verb="GET")

	before = sms.count(ident["e164"])
	unknown = guest.method(A + "forgot_password", login=f"nobody-{random.randint(1, 10**9)}@test.example")
	assert unknown["sent"] is True and sms.count(ident["e164"]) == before  # same answer, no SMS
	assert guest.method(A + "forgot_password", login=ident["email"])["sent"] is True
	code = sms.last_code(ident["e164"])
	# a reset code verifies nothing else, and a wrong code resets nothing
	guest.method(M + "verify_otp", expect=417, phone=ident["e164"], code=code)
	guest.method(
		A + "reset_password", expect=417, login=ident["email"], code="000000", new_password=NEW_PASSWORD
	)
	guest.method(A + "reset_password", expect=417, login=ident["email"], code=code, new_password="123")
	done = guest.method(A + "reset_password", login=ident["email"], code=code, new_password=NEW_PASSWORD)
	assert done["reset"] is True and done["sessions_ended"] >= 1
	# every session ended: the token and the desk cookie
	phone_session.call("GET", "/api/method/" + M + "me", 401)
	assert desk.get(URL + "/api/method/frappe.auth.get_logged_user", timeout=60).status_code in (401, 403)
	guest.method(A + "reset_password", expect=417, login=ident["email"], code=code, new_password=NEW_PASSWORD)
	login(guest, ident["email"], PASSWORD, expect=401)
	assert login(guest, ident["email"], NEW_PASSWORD)["access_token"]


def test_change_password_keeps_this_session_only(guest, sms):
	ident = registered(guest, sms)
	here = bearer(ident["tokens"]["access_token"])
	elsewhere = bearer(login(guest, ident["email"], PASSWORD)["access_token"])
	here.method(A + "change_password", expect=401, old_password="salah", new_password=NEW_PASSWORD)
	changed = here.method(A + "change_password", old_password=PASSWORD, new_password=NEW_PASSWORD)
	assert changed["changed"] is True and changed["sessions_ended"] == 1
	here.method(M + "me", verb="GET")
	elsewhere.call("GET", "/api/method/" + M + "me", 401)
	assert login(guest, ident["email"], NEW_PASSWORD)["access_token"]


def test_phone_change_needs_the_new_number_verified(guest, sms):
	ident = registered(guest, sms)
	api = bearer(ident["tokens"]["access_token"])
	other = registered(guest, sms)
	api.method(A + "change_phone", expect=417, phone=other["phone"])  # another account's number
	new_local = f"0813{random.randint(10_000_000, 99_999_999)}"
	new_e164 = "+62" + new_local[1:]
	assert api.method(A + "change_phone", phone=new_local)["sent"] is True
	assert api.method(M + "me", verb="GET")["member"]["phone"] in (ident["e164"], ident["phone"])
	api.method(A + "confirm_phone", expect=417, phone=new_local, code="000000")
	done = api.method(A + "confirm_phone", phone=new_local, code=sms.last_code(new_e164))
	assert done == {"phone": new_e164, "verified": True}
	assert api.method(M + "me", verb="GET")["member"]["phone"] == new_e164
	# the new number signs in
	assert guest.method(M + "login", login=new_local, password=PASSWORD)["access_token"]


def test_payment_history_is_the_borrowers_own(guest, sms, staff):
	ident = registered(guest, sms)
	member = ident["registration"]["member"]
	product = staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"History {random.randint(1, 10**9)}",
			"min_principal": 1_000_000,
			"max_principal": 100_000_000,
			"min_tenor_months": 6,
			"max_tenor_months": 60,
			"dsr_limit": 70,
			"max_age_at_maturity": 80,
			"annual_interest_rate": 18,
			"interest_method": "Flat",
			"rounding_unit": 100,
		},
	)["name"]
	import datetime as dt

	first_due = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=10)
	loan = book_loan(staff, product, 6_000_000, 6, first_due, member=member)
	other_loan = book_loan(staff, product, 6_000_000, 6, first_due)
	staff["finance"].method(
		"pinjaman_online.api.servicing.pay", loan=loan, amount=300_000, payment_method="Bank Transfer"
	)
	staff["finance"].method(
		"pinjaman_online.api.servicing.pay", loan=other_loan, amount=400_000, payment_method="Bank Transfer"
	)
	api = bearer(ident["tokens"]["access_token"])
	history = api.method(A + "payments", verb="GET")
	assert history["total"] == 1
	row = history["data"][0]
	assert (row["loan"], row["amount"], row["status"]) == (loan, 300_000, "Posted")
	assert row["principal"] + row["interest"] + row["penalty"] == 300_000
	assert api.method(A + "payments", verb="GET", loan=loan)["total"] == 1
	api.method(A + "payments", expect=404, verb="GET", loan=other_loan)
	guest.method(A + "payments", expect=403, verb="GET")


def test_a_reset_asked_for_again_at_once_answers_as_for_an_unknown_account(guest, sms):
	"""The phone's OTP cooldown (a code was just sent at registration) gives the account no different
	answer than a login that does not exist: no 429 that would tell a stranger the account is there."""
	ident = registered(guest, sms)
	before = sms.count(ident["e164"])
	unknown = guest.method(A + "forgot_password", login=f"nobody-{random.randint(1, 10**9)}@test.example")
	for _ in range(2):
		assert guest.method(A + "forgot_password", login=ident["email"]) == unknown
	assert sms.count(ident["e164"]) == before  # within the cooldown: no new code
