"""Sign-in by access token for every user, staff included, and each user's sessions (seed 004, User
Management: ``POST /auth/login``, ``/auth/refresh``, ``/auth/logout``, ``sys_user_sessions``).

The seed's paths map onto ``/api/method/pinjaman_online.api.auth.<name>``: ``login``, ``refresh``,
``logout``, ``sessions`` and ``revoke_session``. Tokens are the ones the borrower app uses
(``pinjaman_online.borrower.auth``: an HS256 access JWT with the seed's claims, a rotating refresh token kept
only as a hash); ``Authorization: Bearer <access token>`` works on Frappe's REST with the user's own
permissions. The login policy (``pinjaman_online.login_policy``: backoff per account and client, disabled
users, unverified borrower phones) is the one every other door applies.

A user's sessions are their token sessions (one per login, kept across refreshes) and their desk sessions
(Frappe's own). Each is listed with device, IP address, start and last use, and can be ended on its own by
the user or by an admin (System Manager, Koperasi Admin); a desk session is named by a hash of its id, never
by the id itself (the id is the session's cookie).
"""

import ast
import hashlib

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import get_datetime

from pinjaman_online import login_policy
from pinjaman_online.api import endpoint
from pinjaman_online.borrower import auth
from pinjaman_online.lending import credentials as cred

HOUR = 3600
ADMIN_ROLES = ("System Manager", "Koperasi Admin")


def _resolve(username: str) -> str | None:
	"""The User a sign-in name means: an e-mail (the user's id), a Frappe username, or a mobile number."""
	from pinjaman_online.api.mobile import _resolve_login

	username = (username or "").strip()
	if "@" not in username:
		by_username = frappe.db.get_value("User", {"username": username}, "name")
		if by_username:
			return by_username
	return _resolve_login(username)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
@endpoint
def login(username: str, password: str, device_name: str | None = None) -> dict:
	"""``POST /auth/login``: sign in with e-mail, username or mobile number and password.

	Returns ``{"access_token", "token_type": "Bearer", "expires_in" (seconds), "refresh_token", "user"}``.
	Refused with 401 for a wrong password, an unknown or disabled user, or an unverified borrower phone, and
	429 (with the wait) for a client that failed too often (``login_policy``). ``device_name`` describes the
	client in the user's session list (default: its User-Agent)."""
	from frappe.utils.password import check_password

	user = _resolve(username)
	account = user or username.strip().lower()
	login_policy.ensure_allowed(account)
	if not user or user == "Guest" or not frappe.db.get_value("User", user, "enabled"):
		login_policy.record_failure(account)
		frappe.throw(_("Incorrect login or password"), frappe.AuthenticationError)
	try:
		check_password(user, password, delete_tracker_cache=False)
	except frappe.AuthenticationError:
		login_policy.record_failure(account)
		frappe.throw(_("Incorrect login or password"), frappe.AuthenticationError)
	login_policy.ensure_user_may_login(user)
	login_policy.record_success(account)
	return auth.issue_tokens(user, "pwd", device_info=device_name)


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limit(limit=auth.guest_requests_per_ip, seconds=HOUR)
@endpoint
def refresh(refresh_token: str) -> dict:
	"""``POST /auth/refresh``: a new token pair for a refresh token, which is used up; presenting a used one
	again ends its whole session (401)."""
	return auth.rotate(refresh_token)


@frappe.whitelist(methods=["POST"])
def logout() -> dict:
	"""``POST /auth/logout``: end the session of the presented access token: ``{"revoked": n}``."""
	claims = auth.current_claims()
	return {"revoked": auth.revoke_family(claims["sid"], "Logout")}


def _whose(user: str | None) -> str:
	"""The user whose sessions the caller asks about: themself, or anyone for an admin (403 otherwise)."""
	if not user or user == frappe.session.user:
		if frappe.session.user == "Guest":
			frappe.throw(_("Sign in first"), frappe.AuthenticationError)
		return frappe.session.user
	if not set(frappe.get_roles()) & set(ADMIN_ROLES):
		frappe.throw(_("Only an administrator sees another user's sessions"), frappe.PermissionError)
	if not frappe.db.exists("User", user):
		frappe.throw(_("User {0} not found").format(user), frappe.DoesNotExistError)
	return user


def _desk_id(sid: str) -> str:
	return "desk-" + hashlib.sha256(sid.encode()).hexdigest()[:24]


def _desk_sessions(user: str) -> list[dict]:
	rows = frappe.db.sql(
		"""SELECT sid, sessiondata, lastupdate FROM `tabSessions` WHERE user = %s""", user, as_dict=True
	)
	current = getattr(frappe.session, "sid", None)
	sessions = []
	for row in rows:
		try:
			data = ast.literal_eval(row.sessiondata or "{}") or {}
		except (ValueError, SyntaxError):  # a session row that is not a literal is listed without details
			data = {}
		sessions.append(
			{
				"session": _desk_id(row.sid),
				"kind": "desk",
				"user": user,
				"device": "Desk",
				"ip_address": data.get("session_ip"),
				"started": None,  # Frappe keeps no start time of a desk session
				"last_seen": row.lastupdate,
				"expires_on": None,
				"current": row.sid == current,
			}
		)
	return sessions


def _token_sessions(user: str) -> list[dict]:
	rows = frappe.db.sql(
		"""SELECT family, MIN(COALESCE(session_started, creation)) AS started, MAX(creation) AS refreshed,
			MAX(expires_on) AS expires_on,
			SUBSTRING_INDEX(GROUP_CONCAT(COALESCE(device_info, '') ORDER BY creation DESC SEPARATOR '\\n'),
				'\\n', 1) AS device_info,
			SUBSTRING_INDEX(GROUP_CONCAT(COALESCE(ip_address, '') ORDER BY creation DESC SEPARATOR '\\n'),
				'\\n', 1) AS ip_address
		FROM `tabRefresh Token` WHERE user = %s AND status = %s GROUP BY family""",
		(user, cred.ACTIVE),
		as_dict=True,
	)
	claims = getattr(frappe.local, "borrower_claims", None) or {}
	sessions = []
	for row in rows:
		last = frappe.cache.hget(auth.LAST_SEEN_KEY, row.family)
		last_seen = get_datetime(last) if last else None
		sessions.append(
			{
				"session": row.family,
				"kind": "token",
				"user": user,
				"device": row.device_info or None,
				"ip_address": row.ip_address or None,
				"started": row.started,
				"last_seen": max(filter(None, (last_seen, row.refreshed))),
				"expires_on": row.expires_on,
				"current": claims.get("sid") == row.family,
			}
		)
	return sessions


@frappe.whitelist(methods=["GET"])
@endpoint
def sessions(user: str | None = None) -> list[dict]:
	"""``GET`` a user's live sessions (own by default; any user's for an admin), newest use first: rows of
	``{"session", "kind": "token"|"desk", "user", "device", "ip_address", "started", "last_seen",
	"expires_on", "current"}``."""
	user = _whose(user)
	rows = _token_sessions(user) + _desk_sessions(user)
	return sorted(rows, key=lambda r: str(r["last_seen"] or ""), reverse=True)


@frappe.whitelist(methods=["POST"])
@endpoint
def revoke_session(session: str, user: str | None = None) -> dict:
	"""End one session (``session`` as listed by :func:`sessions`) of the caller, or of ``user`` for an admin:
	``{"revoked": 1}``; 404 when the user has no such live session."""
	user = _whose(user)
	reason = f"Ended by {frappe.session.user}"
	if session.startswith("desk-"):
		from frappe.sessions import delete_session

		for sid in frappe.db.sql_list("SELECT sid FROM `tabSessions` WHERE user = %s", user):
			if _desk_id(sid) == session:
				delete_session(sid, user=user, reason=reason)
				return {"revoked": 1}
	elif frappe.db.exists("Refresh Token", {"user": user, "family": session, "status": cred.ACTIVE}):
		auth.revoke_family(session, reason)
		return {"revoked": 1}
	frappe.throw(_("No such live session"), frappe.DoesNotExistError)
