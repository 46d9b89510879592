"""Credential rules of the borrower mobile API, free of Frappe (stdlib only).

- One-time passwords: generated with ``secrets``, stored only as a keyed hash (HMAC-SHA256 with a site
  secret, bound to the challenge id), compared in constant time; expiry and attempt limits are decided here.
- Opaque tokens (refresh tokens, nonces): random URL-safe strings; the server keeps only their SHA-256.
- Refresh-token families: a refresh token is used once. Presenting the active one rotates it; presenting
  one that was already rotated is a replay (the family is revoked: OAuth 2.0 Security BCP §4.14.2).
- NIK (sensitive personal data, UU PDP): a keyed hash for lookup and a masked form for display.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

# Refresh token states (stored on Refresh Token.status).
ACTIVE, ROTATED, REVOKED = "Active", "Rotated", "Revoked"

# What to do with a presented refresh token.
ROTATE = "rotate"  # valid: issue a new pair, mark this one Rotated
REUSE = "reuse"  # a rotated token came back: revoke the whole family
REFUSE = "refuse"  # revoked or expired: refuse, nothing else changes

# OTP verification outcomes.
OTP_OK, OTP_WRONG, OTP_EXPIRED, OTP_LOCKED, OTP_USED = "ok", "wrong", "expired", "locked", "used"


def new_otp(length: int = 6) -> str:
	"""A uniformly random numeric code of ``length`` digits (leading zeros kept)."""
	if not 4 <= length <= 10:
		raise ValueError("OTP length must be between 4 and 10 digits")
	return "".join(secrets.choice("0123456789") for _ in range(length))


def otp_hash(secret: str | bytes, challenge: str, code: str) -> str:
	"""HMAC-SHA256 of the code bound to its challenge id: a leaked hash cannot be replayed elsewhere,
	and the 10^6 code space cannot be brute-forced offline without the site secret."""
	key = secret.encode() if isinstance(secret, str) else secret
	return hmac.new(key, f"{challenge}:{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OtpState:
	code_hash: str
	expires_at: datetime
	attempts: int  # failed attempts so far
	max_attempts: int
	used: bool = False


def check_otp(state: OtpState, secret: str | bytes, challenge: str, code: str, now: datetime) -> str:
	"""Outcome of presenting ``code``: used, locked (attempts exhausted), expired, wrong or ok.

	A locked or expired challenge never says ok, even for the right code."""
	if state.used:
		return OTP_USED
	if state.attempts >= state.max_attempts:
		return OTP_LOCKED
	if now >= state.expires_at:
		return OTP_EXPIRED
	candidate = otp_hash(secret, challenge, (code or "").strip())
	return OTP_OK if hmac.compare_digest(candidate, state.code_hash) else OTP_WRONG


def new_opaque_token(nbytes: int = 32) -> str:
	"""A random URL-safe token (refresh tokens, biometric nonces)."""
	return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
	"""SHA-256 hex of a high-entropy token: what the server stores instead of the token."""
	return hashlib.sha256(token.encode()).hexdigest()


def refresh_decision(status: str, expires_at: datetime, now: datetime) -> str:
	"""What presenting a refresh token in ``status`` means (see the module docstring)."""
	if status == ROTATED:
		return REUSE
	if status != ACTIVE or now >= expires_at:
		return REFUSE
	return ROTATE


def nik_lookup_hash(secret: str | bytes, nik: str) -> str:
	"""Keyed hash of a NIK (HMAC-SHA256): equal NIKs collide on purpose, so a NIK can be looked up without
	storing it in clear; without the key the 16-digit space cannot be enumerated offline."""
	from .nik import lookup_hash

	return lookup_hash(secret, nik)


def mask_nik(nik: str) -> str:
	"""The first 4 and last 4 digits, the rest as asterisks: ``3201********0001``."""
	text = (nik or "").strip()
	if len(text) <= 8:
		return "*" * len(text)
	return text[:4] + "*" * (len(text) - 8) + text[-4:]


def password_problems(password: str, score: int, min_score: int, min_length: int = 8) -> list[str]:
	"""Reasons a password is refused: too short, or a strength score (zxcvbn 0–4) below the policy."""
	problems = []
	if len(password or "") < min_length:
		problems.append(f"Password must have at least {min_length} characters")
	if score < min_score:
		problems.append("Password is too easy to guess")
	return problems
