"""One person, one member across channels, and the borrower's consents, over HTTP against the served site.

- A member registered by staff who then registers in the app with the phone on file gets an account linked
  to that member once the phone is verified (no second member), and the double-financing check refuses the
  app loan while the pension loan runs; another phone is refused.
- A borrower registered in the app cannot be registered again by staff (417 naming the member).
- Two members of one person left from before the rule (the patch's case) are seen together by the
  double-financing check.
- The keyed NIK hash on Member and KYC Submission is the same for one person, never a plain hash of the NIK,
  and the NIK is not on a self-registered member.
- Consents: given at registration and with each application, listed with the current texts, withdrawable
  where the law allows (terms never, the bureau check not while its application is decided, data
  processing blocks new applications), never written through REST.
"""

import datetime as dt
import hashlib
import random
import uuid

import pytest
from conftest import book_loan, cli, insert_product, nik_for, unique_serial
from pinjaman_online.tests.fake_gateway import FakeGateway
from test_mobile import PASSWORD, bearer, new_identity, register
from test_mobile_loans import GOOD, SETTINGS, apply, verify_kyc

M = "pinjaman_online.api.mobile."
C = "pinjaman_online.api.mobile_consents."
ID = {"Accept-Language": "id"}


def plain_hashes(nik: str) -> set[str]:
	return {
		hashlib.new(name, data).hexdigest()
		for name in ("md5", "sha1", "sha256", "sha512")
		for data in (nik.encode(), b"nik:" + nik.encode())
	}


def staff_member(staff, nik: str, birth: dt.date, phone: str | None) -> dict:
	"""A pensioner registered at the desk by the sales user."""
	return staff["sales"].insert(
		"Member",
		{
			"full_name": "Sutarno Wibowo",
			"nik": nik,
			"gender": "Male",
			"birth_date": str(birth),
			"phone": phone,
			"pension_fund": "Taspen",
			"pension_number": f"TSP{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 6_000_000,
			"bank_accounts": [
				{"bank_name": "BRI", "account_number": "5566778899", "account_holder": "Sutarno"}
			],
		},
	)


def pensioner_identity() -> dict:
	ident = new_identity()
	birth = dt.date(1959, random.randint(1, 12), random.randint(1, 28))
	ident.update(birth=birth, nik=nik_for(birth, unique_serial()), full_name="Sutarno Wibowo")
	return ident


def verify_and_login(guest, sms, ident) -> dict:
	guest.method(M + "verify_otp", phone=ident["e164"], code=sms.last_code(ident["e164"]))
	tokens = guest.method(M + "login", login=ident["email"], password=PASSWORD)
	ident["api"] = bearer(tokens["access_token"])
	return ident


@pytest.fixture(scope="module")
def bureau(admin):
	"""A fake credit bureau answering per NIK from ``answers`` (good report by default)."""
	fake = FakeGateway()
	fake.answers = {}
	fake.route("POST", "/credit-reports", lambda req: fake.answers.get(req.json["nik"], (200, GOOD)))
	admin.call("PUT", SETTINGS, json={"bureau_base_url": fake.url, "bureau_api_key": "bureau-test-key"})
	yield fake
	fake.stop()


@pytest.fixture(scope="module")
def pension_product(staff):
	return insert_product(staff["admin"], "Identity")


def test_staff_member_registering_in_the_app_is_linked_and_double_financing_sees_the_pension_loan(
	admin, guest, sms, staff, bureau, pension_product
):
	ident = pensioner_identity()
	member = staff_member(staff, ident["nik"], ident["birth"], ident["phone"])
	first_due = dt.date.today().replace(day=1) + dt.timedelta(days=45)
	loan = book_loan(staff, pension_product, 20_000_000, 24, first_due.replace(day=1), member=member["name"])

	# Another phone than the one on file: refused, in Indonesian, without the NIK in the message.
	other = dict(
		ident,
		phone=f"0813{random.randint(10_000_000, 99_999_999)}",
		email=f"x-{uuid.uuid4().hex[:8]}@t.example",
	)
	r = guest.call(
		"POST",
		f"/api/method/{M}register",
		417,
		json={k: other[k] for k in ("full_name", "email", "phone", "nik", "password", "consent")},
		headers=ID,
	)
	assert "sudah terdaftar sebagai anggota koperasi" in r.text, r.text
	assert ident["nik"] not in r.text

	# The phone on file: an account, no new member; linked once the phone is verified.
	answer = register(guest, ident)
	assert answer["member"] is None and answer["member_link"] == "pending_phone_verification"
	assert len(admin.list("Member", filters=f'[["nik_hash", "=", "{member["nik_hash"]}"]]')) == 1
	verify_and_login(guest, sms, ident)
	me = ident["api"].method(M + "me", verb="GET")
	assert me["member"]["name"] == member["name"]
	assert [m["name"] for m in ident["api"].list("Member")] == [member["name"]]
	kyc = admin.list(
		"KYC Submission", filters=f'[["user", "=", "{ident["email"]}"]]', fields='["member", "nik_hash"]'
	)
	assert kyc == [{"member": member["name"], "nik_hash": member["nik_hash"]}]

	# The same person's app application is refused while the pension loan runs (409).
	verify_kyc(admin, ident)
	r = apply(ident["api"], expect=409)
	assert loan in r.text

	# Registering the same NIK again, on any phone, is refused.
	again = dict(new_identity(), nik=ident["nik"])
	r = guest.call(
		"POST",
		f"/api/method/{M}register",
		417,
		json={k: again[k] for k in ("full_name", "email", "phone", "nik", "password", "consent")},
	)
	assert ident["nik"] not in r.text


def test_app_borrower_cannot_be_registered_again_by_staff(admin, guest, sms, staff):
	ident = pensioner_identity()
	answer = register(guest, ident)
	borrower_member = answer["member"]
	r = staff["sales"].insert(
		"Member",
		{
			"full_name": "Sutarno Wibowo",
			"nik": ident["nik"],
			"gender": "Male",
			"birth_date": str(ident["birth"]),
			"pension_fund": "Asabri",
			"pension_number": f"ASB{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 5_000_000,
		},
		expect=417,
	)
	assert "DuplicateMemberError" in r.text and borrower_member in r.text
	assert ident["nik"] not in r.text

	# The borrower's member keeps no NIK in clear; its keyed hash is the KYC Submission's, never a plain hash.
	row = admin.get("Member", borrower_member)
	assert not row.get("nik")
	kyc = admin.list(
		"KYC Submission",
		filters=f'[["member", "=", "{borrower_member}"]]',
		fields='["nik_hash", "nik_masked"]',
	)
	assert row["nik_hash"] == kyc[0]["nik_hash"] and len(row["nik_hash"]) == 64
	assert row["nik_hash"] not in plain_hashes(ident["nik"])
	assert ident["nik"] not in str(row) and ident["nik"] not in str(kyc)

	# Staff complete that member instead: a wrong NIK is refused, the person's own NIK is accepted.
	wrong = nik_for(ident["birth"], unique_serial())
	r = staff["sales"].update("Member", borrower_member, {"nik": wrong}, expect=417)
	assert "InvalidNIKError" in r.text
	done = staff["sales"].update(
		"Member",
		borrower_member,
		{
			"nik": ident["nik"],
			"pension_fund": "Asabri",
			"pension_number": f"ASB{uuid.uuid4().hex[:10]}",
			"monthly_pension_benefit": 5_000_000,
		},
	)
	assert done["nik_hash"] == row["nik_hash"]


def test_two_members_of_one_person_from_before_the_rule_are_seen_together(
	admin, guest, sms, staff, bureau, pension_product
):
	ident = pensioner_identity()
	register(guest, ident)
	verify_and_login(guest, sms, ident)
	app_member = ident["api"].method(M + "me", verb="GET")["member"]["name"]
	lookup = admin.get("Member", app_member)["nik_hash"]
	# Data from before the rule: the hashes were not there when staff registered the same person.
	cli("frappe.db.sql", "update `tabMember` set nik_hash = null where name = %s", [app_member])
	cli("frappe.db.sql", "update `tabKYC Submission` set nik_hash = null where member = %s", [app_member])
	older = staff_member(staff, ident["nik"], ident["birth"], None)
	cli(
		"frappe.db.sql",
		"update `tabKYC Submission` set nik_hash = %s where member = %s",
		[lookup, app_member],
	)
	cli("pinjaman_online.patches.member_nik_hashes.execute")
	cli("pinjaman_online.patches.member_nik_hashes.execute")  # idempotent
	assert admin.get("Member", older["name"])["nik_hash"] == lookup
	assert not admin.get("Member", app_member).get("nik_hash")  # the hash is unique: the older one keeps it

	first_due = (dt.date.today().replace(day=1) + dt.timedelta(days=45)).replace(day=1)
	loan = book_loan(staff, pension_product, 15_000_000, 24, first_due, member=older["name"])
	verify_kyc(admin, ident)
	r = apply(ident["api"], expect=409)
	assert loan in r.text


# ---------------------------------------------------------------- consents


def test_consents_given_listed_and_withdrawn_where_the_law_allows(admin, guest, sms, staff, bureau):
	texts = {t["type"]: t for t in guest.method(C + "texts", verb="GET")["texts"]}
	assert set(texts) == {"terms", "data_processing", "credit_bureau", "marketing"}
	for text in texts.values():
		assert len(text["text_hash"]) == 64 and text["version"]
	assert texts["terms"]["withdrawable"] is False and texts["marketing"]["withdrawable"] is True

	# Registration needs its consents; an outdated version is refused (409).
	ident = new_identity()
	body = {k: ident[k] for k in ("full_name", "email", "phone", "nik", "password")}
	guest.call("POST", f"/api/method/{M}register", 417, json={**body, "consent": False})
	guest.call("POST", f"/api/method/{M}register", 417, json={**body, "consents": ["terms"]})
	r = guest.call(
		"POST",
		f"/api/method/{M}register",
		409,
		json={**body, "consents": [{"type": "terms", "version": "1999-01"}, "data_processing"]},
	)
	assert r.json().get("code") == "CONSENT_VERSION_OUTDATED"
	guest.method(
		M + "register",
		**body,
		consents=[{"type": "terms", "version": texts["terms"]["version"]}, "data_processing", "marketing"],
	)
	verify_and_login(guest, sms, ident)
	api = ident["api"]

	mine = api.method(C + "mine", verb="GET")
	assert mine["in_force"] == {
		"terms": True,
		"data_processing": True,
		"credit_bureau": False,
		"marketing": True,
	}
	given = {c["type"]: c for c in mine["consents"]}
	assert (
		given["terms"]["text_hash"] == texts["terms"]["text_hash"]
		and given["terms"]["channel"] == "Mobile App"
	)
	records = admin.list(
		"Consent Record",
		filters=f'[["user", "=", "{ident["email"]}"]]',
		fields='["member", "given_by", "given_at", "ip_address", "consent_type"]',
	)
	assert len(records) == 3 and all(r["member"] and r["given_at"] and r["ip_address"] for r in records)

	# Terms are the contract: not withdrawable. Marketing is, any time.
	r = api.call("POST", f"/api/method/{C}withdraw", 417, json={"consent_type": "terms"})
	assert r.json().get("code") == "CONSENT_NOT_WITHDRAWABLE"
	out = api.method(C + "withdraw", consent_type="marketing")
	assert out["in_force"]["marketing"] is False
	gone = next(c for c in out["consents"] if c["type"] == "marketing")
	assert gone["status"] == "Withdrawn" and gone["withdrawn_at"]

	# An application records the bureau check consent with it; not withdrawable while it is decided.
	verify_kyc(admin, ident)
	bureau.answers[ident["nik"]] = (503, {"error": "down"})  # the engine refers it: it stays open
	app = apply(api)
	mine = api.method(C + "mine", verb="GET")
	check = next(c for c in mine["consents"] if c["type"] == "credit_bureau")
	assert (
		check["loan_application"] == app["application"]
		and check["text_hash"] == texts["credit_bureau"]["text_hash"]
	)
	r = api.call("POST", f"/api/method/{C}withdraw", 409, json={"consent_type": "credit_bureau"})
	assert r.json().get("code") == "CONSENT_APPLICATION_RUNNING"

	# Personal data processing is withdrawable; while withdrawn, no new application is accepted.
	api.method(C + "withdraw", consent_type="data_processing")
	r = apply(api, expect=417)
	assert r.json().get("code") == "CONSENT_WITHDRAWN"
	api.method(C + "give", consents_given=["data_processing"])
	assert api.method(C + "mine", verb="GET")["in_force"]["data_processing"] is True
	api.call("POST", f"/api/method/{C}give", 417, json={"consents_given": ["credit_bureau"]})


def test_consent_records_are_written_by_the_app_only(admin, guest, sms, staff):
	ident = new_identity()
	register(guest, ident)
	verify_and_login(guest, sms, ident)
	record = {
		"doctype": "Consent Record",
		"user": ident["email"],
		"consent_type": "Marketing",
		"status": "Given",
	}
	ident["api"].call("POST", "/api/resource/Consent Record", 403, json=record)
	ident["api"].call("GET", "/api/resource/Consent Record", 403)
	staff["admin"].call("POST", "/api/resource/Consent Record", 403, json=record)
	admin.call("POST", "/api/resource/Consent Record", 403, json=record)
	name = staff["admin"].list("Consent Record", filters=f'[["user", "=", "{ident["email"]}"]]')[0]["name"]
	staff["admin"].call("PUT", f"/api/resource/Consent Record/{name}", 403, json={"status": "Withdrawn"})
	admin.call("PUT", f"/api/resource/Consent Record/{name}", 403, json={"status": "Withdrawn"})

	# A text agreed to is never edited: a new version is made instead.
	text = "Terms and Conditions v2026-01"
	r = staff["admin"].call("PUT", f"/api/resource/Consent Text/{text}", 417, json={"text": "<p>changed</p>"})
	assert "ConsentTextChangedError" in r.text
