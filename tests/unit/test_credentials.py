"""Borrower credential rules (lending/credentials.py): OTP hashing and checks, refresh-token family rules, NIK
keyed hash and mask, password policy."""

import hashlib
import hmac
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending import credentials as cred

SETTINGS = settings(max_examples=200, deadline=None, database=None)
NOW = datetime(2026, 12, 1, 9, 0, 0)
SECRET = b"site-secret"


def state(code: str, challenge: str = "c1", **kw) -> cred.OtpState:
	values = {
		"code_hash": cred.otp_hash(SECRET, challenge, code),
		"expires_at": NOW + timedelta(minutes=5),
		"attempts": 0,
		"max_attempts": 5,
	}
	values.update(kw)
	return cred.OtpState(**values)


@SETTINGS
@given(st.integers(min_value=4, max_value=10))
def test_new_otp_has_the_digits_asked(length):
	code = cred.new_otp(length)
	assert len(code) == length and code.isdigit()


@pytest.mark.parametrize("length", [0, 3, 11])
def test_new_otp_refuses_silly_lengths(length):
	with pytest.raises(ValueError):
		cred.new_otp(length)


def test_otp_hash_is_hmac_sha256_of_challenge_and_code():
	expected = hmac.new(SECRET, b"c1:123456", hashlib.sha256).hexdigest()
	assert cred.otp_hash(SECRET, "c1", "123456") == expected
	assert cred.otp_hash("site-secret", "c1", "123456") == expected
	assert "123456" not in expected


@SETTINGS
@given(
	st.text(alphabet="0123456789", min_size=6, max_size=6),
	st.text(alphabet="0123456789", min_size=6, max_size=6),
)
def test_only_the_right_code_passes(code, other):
	s = state(code)
	assert cred.check_otp(s, SECRET, "c1", code, NOW) == cred.OTP_OK
	assert cred.check_otp(s, SECRET, "c1", f" {code} ", NOW) == cred.OTP_OK
	if other != code:
		assert cred.check_otp(s, SECRET, "c1", other, NOW) == cred.OTP_WRONG


def test_a_code_is_bound_to_its_challenge_and_secret():
	s = state("123456", challenge="c1")
	assert cred.check_otp(s, SECRET, "c2", "123456", NOW) == cred.OTP_WRONG
	assert cred.check_otp(s, b"other", "c1", "123456", NOW) == cred.OTP_WRONG


def test_expired_locked_and_used_never_pass_even_with_the_right_code():
	assert cred.check_otp(state("111111", expires_at=NOW), SECRET, "c1", "111111", NOW) == cred.OTP_EXPIRED
	assert cred.check_otp(state("111111", attempts=5), SECRET, "c1", "111111", NOW) == cred.OTP_LOCKED
	assert cred.check_otp(state("111111", used=True), SECRET, "c1", "111111", NOW) == cred.OTP_USED
	assert cred.check_otp(state("111111", attempts=4), SECRET, "c1", "111111", NOW) == cred.OTP_OK


def test_opaque_tokens_are_random_and_stored_as_sha256():
	tokens = {cred.new_opaque_token() for _ in range(50)}
	assert len(tokens) == 50 and all(len(t) >= 40 for t in tokens)
	t = tokens.pop()
	assert cred.token_hash(t) == hashlib.sha256(t.encode()).hexdigest()


@pytest.mark.parametrize(
	("status", "expires_in", "expected"),
	[
		(cred.ACTIVE, timedelta(days=1), cred.ROTATE),
		(cred.ACTIVE, timedelta(0), cred.REFUSE),
		(cred.ACTIVE, timedelta(days=-1), cred.REFUSE),
		(cred.ROTATED, timedelta(days=1), cred.REUSE),
		(cred.ROTATED, timedelta(days=-1), cred.REUSE),
		(cred.REVOKED, timedelta(days=1), cred.REFUSE),
	],
)
def test_refresh_decision(status, expires_in, expected):
	assert cred.refresh_decision(status, NOW + expires_in, NOW) == expected


@SETTINGS
@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_nik_hash_is_keyed_and_stable_and_mask_hides_the_middle(nik):
	h = cred.nik_lookup_hash(SECRET, nik)
	assert h == cred.nik_lookup_hash(SECRET, f" {nik} ") != cred.nik_lookup_hash(b"other", nik)
	assert nik not in h
	masked = cred.mask_nik(nik)
	assert masked[:4] == nik[:4] and masked[-4:] == nik[-4:] and masked[4:12] == "*" * 8


def test_mask_of_short_values_hides_everything():
	assert cred.mask_nik("1234") == "****"
	assert cred.mask_nik("") == ""


def test_password_problems():
	assert cred.password_problems("Tr0ub4dor&3xyz", score=3, min_score=2) == []
	assert len(cred.password_problems("short", score=0, min_score=2)) == 2
	assert cred.password_problems("longenough", score=1, min_score=2) == ["Password is too easy to guess"]
