"""Borrower consents (UU 27/2022): which step needs which consent, which may be withdrawn, the text hash."""

import hashlib

import pytest
from pinjaman_online.lending import consent
from pinjaman_online.lending.consent import ConsentError


def test_codes_and_types_round_trip():
	for code, label in consent.TYPES.items():
		assert consent.code_of(code) == code
		assert consent.code_of(label.upper()) == code
	with pytest.raises(ConsentError) as err:
		consent.code_of("newsletter")
	assert err.value.code == "UNKNOWN_CONSENT"
	with pytest.raises(ConsentError):
		consent.code_of(None)


def test_registration_needs_terms_and_data_processing():
	assert consent.missing(consent.REGISTRATION, {"terms"}) == ["data_processing"]
	consent.ensure_given(consent.REGISTRATION, {"terms", "data_processing", "marketing"})
	with pytest.raises(ConsentError) as err:
		consent.ensure_given(consent.REGISTRATION, {"marketing"})
	assert err.value.code == "CONSENT_REQUIRED"


def test_application_needs_the_bureau_check():
	with pytest.raises(ConsentError):
		consent.ensure_given(consent.APPLICATION, set())
	consent.ensure_given(consent.APPLICATION, {"credit_bureau"})


def test_withdrawal_rules():
	assert consent.withdrawal_refusal("terms").code == "CONSENT_NOT_WITHDRAWABLE"
	assert consent.withdrawal_refusal("credit_bureau", application_running=True).code == (
		"CONSENT_APPLICATION_RUNNING"
	)
	assert consent.withdrawal_refusal("credit_bureau", application_running=False) is None
	assert consent.withdrawal_refusal("data_processing", application_running=True) is None
	assert consent.withdrawal_refusal("marketing") is None


def test_text_hash_is_sha256_of_the_normalised_text():
	text = "Syarat\r\ndan ketentuan  "
	assert consent.text_hash(text) == hashlib.sha256(b"Syarat\ndan ketentuan").hexdigest()
	assert consent.text_hash("Cafe\u0301") == consent.text_hash("Caf\u00e9")  # NFC
	assert consent.text_hash("a") != consent.text_hash("b")
