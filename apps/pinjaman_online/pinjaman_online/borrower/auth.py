"""Authentication by access token (borrowers and staff alike): access JWTs, rotating refresh tokens,
biometric keys, the bearer auth hook. Staff sign in through ``pinjaman_online.api.auth``.

- Access token: a JWT (HS256, key in Borrower Settings) with the claims of seed 004 ("Konsep JWT"): sub,
  preferred_username, email, full_name, roles, permissions, modules, iat, exp, iss, jti; plus ``sid`` (the
  refresh-token family = the login session) and ``amr`` (``pwd`` or ``bio``: how the session was opened).
- Who may log in, throttling and the client's address: ``login_policy`` (one policy for every door).
- Refresh token: opaque, stored only as SHA-256 (Refresh Token), used once: each use rotates it; a rotated one
  presented again revokes its whole family (rules in ``lending/credentials.py``).
- ``authenticate_bearer`` (hooks ``auth_hooks``): a valid ``Authorization: Bearer <jwt>`` makes the request
  run as that user, for the whitelisted endpoints and Frappe's REST alike, with the user's own permissions.
  A session is live while its family has an Active refresh token, so logout, reuse detection and an admin's
  force-logout end the access tokens of that session at once.
"""

import base64
import time

import frappe
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from frappe import _
from frappe.utils import add_to_date, get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password

from pinjaman_online import login_policy
from pinjaman_online.lending import credentials as cred

SETTINGS = "Borrower Settings"
ALGORITHM = "HS256"
LAST_SEEN_KEY = "pinjaman_token_last_seen"


class TokenError(frappe.AuthenticationError):
	pass


def settings():
	return frappe.get_cached_doc(SETTINGS)


def signing_key() -> str:
	"""The HS256 key; generated and saved (encrypted, as a Password field) the first time it is needed."""
	key = get_decrypted_password(SETTINGS, SETTINGS, "jwt_secret", raise_exception=False)
	if not key:
		key = frappe.generate_hash(length=64)
		doc = frappe.get_doc(SETTINGS)
		doc.jwt_secret = key
		doc.flags.ignore_permissions = True
		doc.save()
	return key


def site_secret(purpose: str) -> bytes:
	"""A per-purpose secret derived from the site's encryption key (keyed hashes of OTPs and NIKs)."""
	import hashlib
	import hmac

	from frappe.utils.password import get_encryption_key

	return hmac.new(get_encryption_key().encode(), purpose.encode(), hashlib.sha256).digest()


# ---------------------------------------------------------------- issuing


def access_claims(user: str, family: str, amr: str) -> dict:
	"""The access token's claims (module docstring); ``permissions`` and ``modules`` are the seed's codes the
	user holds through Frappe's own permissions (``pinjaman_online.permission_codes``)."""
	from pinjaman_online.permission_codes import claims_for

	s = settings()
	now = int(time.time())
	roles = [r for r in frappe.get_roles(user) if r not in ("All", "Guest")]
	permissions, modules = claims_for(user)
	full_name, email = frappe.db.get_value("User", user, ["full_name", "email"])
	return {
		"sub": user,
		"preferred_username": user,
		"email": email,
		"full_name": full_name,
		"roles": sorted(roles),
		"permissions": permissions,
		"modules": modules,
		"iat": now,
		"exp": now + int(s.access_token_minutes) * 60,
		"iss": s.jwt_issuer,
		"jti": frappe.generate_hash(length=24),
		"sid": family,
		"amr": [amr],
		"typ": "access",
	}


def issue_tokens(
	user: str,
	amr: str,
	device: str | None = None,
	family: str | None = None,
	device_info: str | None = None,
	session_started=None,
) -> dict:
	"""A new access token and refresh token for ``user`` (a new session unless ``family`` is given).

	``device`` is the borrower's registered device (biometric login), ``device_info`` the client's description
	of itself (the name given at login, else its User-Agent), ``session_started`` when the session began (a
	rotation keeps the session's first time)."""
	s = settings()
	family = family or frappe.generate_hash(length=24)
	refresh = cred.new_opaque_token()
	if device_info is None:
		device_info = frappe.get_request_header("User-Agent") if frappe.request else None
	frappe.get_doc(
		{
			"doctype": "Refresh Token",
			"user": user,
			"family": family,
			"token_hash": cred.token_hash(refresh),
			"status": cred.ACTIVE,
			"device": device,
			"device_info": (device_info or "")[:140] or None,
			"session_started": session_started or now_datetime(),
			"expires_on": add_to_date(now_datetime(), days=int(s.refresh_token_days)),
			"ip_address": getattr(frappe.local, "request_ip", None),
		}
	).insert(ignore_permissions=True)
	claims = access_claims(user, family, amr)
	return {
		"access_token": jwt.encode(claims, signing_key(), algorithm=ALGORITHM),
		"token_type": "Bearer",
		"expires_in": claims["exp"] - claims["iat"],
		"refresh_token": refresh,
		"user": user,
	}


def rotate(refresh_token: str) -> dict:
	"""Exchange a refresh token for a new pair; a replayed (already rotated) token revokes its family."""
	name = frappe.db.get_value("Refresh Token", {"token_hash": cred.token_hash(refresh_token or "")}, "name")
	if not name:
		frappe.throw(_("Invalid refresh token"), TokenError)
	row = frappe.get_doc("Refresh Token", name, for_update=True)
	decision = cred.refresh_decision(row.status, get_datetime(row.expires_on), now_datetime())
	if decision == cred.REUSE:
		revoke_family(row.family, "Refresh token reused")
		frappe.db.commit()  # the revocation stands although the request fails
		frappe.throw(_("Refresh token already used: the session has been ended, log in again"), TokenError)
	if decision == cred.REFUSE or login_policy.refusal(row.user):
		frappe.throw(_("Refresh token expired or revoked: log in again"), TokenError)
	row.db_set("status", cred.ROTATED)
	amr = "bio" if row.device else "pwd"
	return issue_tokens(
		row.user,
		amr,
		device=row.device,
		family=row.family,
		device_info=row.device_info,
		session_started=row.session_started or row.creation,
	)


def revoke_family(family: str, reason: str) -> int:
	rt = frappe.qb.DocType("Refresh Token")
	names = frappe.get_all("Refresh Token", {"family": family, "status": ("!=", cred.REVOKED)}, pluck="name")
	if names:
		frappe.qb.update(rt).set(rt.status, cred.REVOKED).set(rt.revoked_on, now_datetime()).set(
			rt.revoked_reason, reason
		).where(rt.name.isin(names)).run()
	frappe.cache.hdel(LAST_SEEN_KEY, family)
	return len(names)


def revoke_user_sessions(user: str, reason: str) -> int:
	families = frappe.get_all(
		"Refresh Token", {"user": user, "status": cred.ACTIVE}, pluck="family", distinct=True
	)
	return sum(revoke_family(f, reason) for f in families)


# ---------------------------------------------------------------- verifying


def decode_access_token(token: str) -> dict | None:
	"""The claims of a valid, live access token; None when tampered, expired, revoked or not ours."""
	try:
		claims = jwt.decode(
			token,
			signing_key(),
			algorithms=[ALGORITHM],
			issuer=settings().jwt_issuer,
			options={"require": ["sub", "exp", "iat", "iss", "jti", "sid"]},
		)
	except jwt.PyJWTError:
		return None
	if claims.get("typ") != "access":
		return None
	live = frappe.db.exists("Refresh Token", {"family": claims["sid"], "status": cred.ACTIVE})
	if not live or login_policy.refusal(claims["sub"]):
		return None
	return claims


def authenticate_bearer():
	"""auth_hooks (borrower): ``Authorization: Bearer <access JWT>`` sets the request's user.

	Anything else is left to Frappe; an invalid bearer token leaves the user Guest, and Frappe then answers
	401 for a request that carried an Authorization header."""
	header = frappe.get_request_header("Authorization", "") or ""
	scheme, _sep, token = header.partition(" ")
	if scheme.lower() != "bearer" or token.count(".") != 2:
		return
	claims = decode_access_token(token.strip())
	if not claims:
		return
	form_dict = frappe.local.form_dict
	frappe.set_user(claims["sub"])
	frappe.local.form_dict = form_dict
	frappe.local.borrower_claims = claims
	# when the session was last used (listed with the user's sessions); Redis, so a GET writes no row
	frappe.cache.hset(LAST_SEEN_KEY, claims["sid"], str(now_datetime()))


def current_claims() -> dict:
	"""The access token's claims of this request; 401 when the request was not authenticated by one."""
	claims = getattr(frappe.local, "borrower_claims", None)
	if not claims or claims["sub"] != frappe.session.user:
		frappe.throw(_("This endpoint needs a borrower access token (Authorization: Bearer …)"), TokenError)
	return claims


# ---------------------------------------------------------------- biometric keys


def load_public_key(pem: str) -> ec.EllipticCurvePublicKey:
	"""A device's key: PEM SubjectPublicKeyInfo of an ECDSA P-256 key, anything else refused."""
	try:
		key = serialization.load_pem_public_key((pem or "").encode())
	except ValueError:
		frappe.throw(_("The public key is not a valid PEM public key"), title=_("Invalid key"))
	if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
		frappe.throw(_("The public key must be an ECDSA P-256 key"), title=_("Invalid key"))
	return key


def signature_valid(pem: str, message: bytes, signature_b64: str) -> bool:
	"""ECDSA P-256 / SHA-256 signature (DER, base64 or base64url) of ``message`` by the device's key."""
	try:
		raw = signature_b64.strip()
		signature = base64.urlsafe_b64decode(raw.replace("+", "-").replace("/", "_") + "=" * (-len(raw) % 4))
		load_public_key(pem).verify(signature, message, ec.ECDSA(hashes.SHA256()))
	except (InvalidSignature, ValueError, TypeError):
		return False
	return True


def nonce_key(device: str, nonce: str) -> str:
	return frappe.cache.make_key(f"borrower:nonce:{device}:{cred.token_hash(nonce)}")


def issue_nonce(device: str) -> str:
	nonce = cred.new_opaque_token()
	frappe.cache.setex(nonce_key(device, nonce), int(settings().biometric_nonce_seconds), 1)
	return nonce


def consume_nonce(device: str, nonce: str) -> bool:
	"""True once per issued, unexpired nonce (atomic GETDEL: a nonce cannot be replayed)."""
	return bool(frappe.cache.getdel(nonce_key(device, nonce or "")))


def biometric_message(nonce: str) -> bytes:
	"""What the device signs: the nonce, bound to its purpose."""
	return f"pinjaman-online:biometric-login:{nonce}".encode()


# ---------------------------------------------------------------- guest rate limits


def hit_limit(bucket: str, identity: str, limit: int, seconds: int = 3600):
	"""Count a request in a fixed window; 429 (RateLimitExceededError) beyond ``limit``."""
	key = frappe.cache.make_key(f"borrower:rl:{bucket}:{identity}")
	frappe.cache.set(key, 0, ex=seconds, nx=True)  # the window starts with its expiry, atomically
	count = frappe.cache.incrby(key, 1)
	if count > limit:
		frappe.throw(
			_("Too many requests: try again later"),
			frappe.RateLimitExceededError,
			title=_("Rate limit"),
		)


def guest_requests_per_ip() -> int:
	"""The hourly limit per client address of each guest endpoint (Borrower Settings), for Frappe's
	``rate_limit`` decorator, which counts per endpoint and ``frappe.local.request_ip`` (set from the
	trusted-proxy rule by ``login_policy.before_request``)."""
	return int(settings().guest_requests_per_ip_per_hour)
