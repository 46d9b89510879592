"""One login policy for every door: the mobile password and biometric logins, Frappe's ``/api/method/login``,
API key and secret (``Authorization: token key:secret`` or ``Basic``) and the borrower's JWT bearer.

What the policy enforces, wherever the user comes in:
- the client's address is the socket peer, or, from a trusted proxy only (site config ``trusted_proxies``,
  default ``127.0.0.1`` and ``::1``), the address the proxy forwarded (``lending/throttle.client_ip``);
  ``frappe.local.request_ip`` is set to it before any endpoint or rate limit reads it;
- failed logins are throttled per account and client with exponential backoff, per client address over
  all accounts (an hourly ceiling that holds up only clients new to the account), and per account with a ceiling that slows down only clients that never
  logged in to the account (rules in ``lending/throttle.py``,
  numbers in Borrower Settings, state in Redis); no number of failures locks an account for its owner;
- disabled users are refused, also when Frappe accepted their API key or session;
- a borrower (role Member only) is refused until their phone is verified.

Frappe's own doors are reached through hooks: ``before_request`` (client address; API keys whose client is
throttled), ``auth_hooks`` (disabled users and unverified borrowers, after Frappe authenticated a key, a
session or a bearer token), ``on_login`` (Frappe's password login succeeded), a ``doc_events`` hook on the
Activity Log that Frappe writes for each failed password login, and ``after_request`` (failed API keys).
Frappe's own login-attempt tracker (System Settings → Allow Consecutive Login Attempts) locks an account
for everyone; setup sets it to 0 so that this policy is the one in force.
"""

import hashlib
import time

import frappe
from frappe import _

from pinjaman_online.lending import throttle

SETTINGS = "Borrower Settings"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.1", "::1")
DEVICE_HEADER = "X-Device-Id"
DEVICE_COOKIE = "login_device"
KNOWN_CLIENT_DAYS = 90
FRAPPE_LOGIN_PATHS = ("/api/method/login",)
# Frappe's own whitelisted methods that a Website User (a borrower) may call, besides those Frappe opens to
# guests: the generic record methods (frappe.client.*, under the doctypes' permissions, as /api/resource), who is
# logged in, a record's PDF, the website's own pages and realtime subscriptions. Every other ``frappe.*`` method
# (the desk, backups, translations, emails, report PDFs, access logs, version information…) serves staff.
BORROWER_FRAPPE_METHODS = (
	"frappe.client.",
	"frappe.auth.get_logged_user",
	"frappe.utils.print_format.download_pdf",
	"frappe.www.",
	"frappe.realtime.",
)


class LoginThrottledError(frappe.RateLimitExceededError):
	"""HTTP 429: this client must wait before its next login attempt on this account."""


class LoginRefusedError(frappe.AuthenticationError):
	"""HTTP 401: the credentials may be right, but this user may not log in (disabled, phone unverified)."""


# ---------------------------------------------------------------- the client


def trusted_proxies() -> list[str]:
	"""The proxies whose ``X-Forwarded-For`` is believed: site or common config ``trusted_proxies`` (a list
	or a comma-separated string of addresses or CIDR ranges), by default this host (nginx runs locally)."""
	value = frappe.conf.get("trusted_proxies")
	if value is None:
		return list(DEFAULT_TRUSTED_PROXIES)
	return value if isinstance(value, list | tuple) else str(value).split(",")


def request_client_ip() -> str:
	"""The address of the client of this request (see ``lending/throttle.client_ip``)."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return "127.0.0.1"
	return throttle.client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"), trusted_proxies())


def device_id() -> str:
	"""The client's device id: the mobile app's ``X-Device-Id`` header, else the browser's login-device
	cookie (set on a successful desk login), else empty."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return ""
	value = request.headers.get(DEVICE_HEADER) or request.cookies.get(DEVICE_COOKIE) or ""
	return value.strip()[:200]


def _digest(*parts: str) -> str:
	return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def client_id(device: str | None = None) -> str:
	"""This request's client: its address and device, hashed."""
	return _digest(getattr(frappe.local, "request_ip", None) or "unknown", device or device_id())


# ---------------------------------------------------------------- state (Redis)


def login_policy() -> throttle.LoginPolicy:
	s = frappe.get_cached_doc(SETTINGS)
	return throttle.LoginPolicy(
		free_attempts=max(int(s.max_failed_logins or 0), 0),
		base_delay=max(int(s.login_backoff_seconds or 0), 0),
		max_delay=max(int(s.lockout_minutes or 0), 0) * 60,
		account_ceiling=max(int(s.account_failures_per_hour or 0), 0),
		soft_delay=max(int(s.account_soft_delay_seconds or 0), 0),
		address_ceiling=max(int(s.failed_logins_per_ip_per_hour or 0), 0),
	)


def _key(*parts: str) -> str:
	return frappe.cache.make_key("login-policy:" + ":".join(parts))


def _account(account: str) -> str:
	return _digest((account or "").strip().lower())


def _client_state(account: str, client: str) -> throttle.ClientState:
	raw = frappe.cache.get(_key("client", _account(account), client))
	if not raw:
		return throttle.ClientState()
	failures, _sep, last = raw.decode().partition(":")
	return throttle.ClientState(failures=int(failures or 0), last_failure=float(last or 0))


def _account_failures(account: str) -> int:
	return int(frappe.cache.get(_key("account", _account(account))) or 0)


def _known_set(account: str) -> str:
	# RedisWrapper's set commands add the site prefix themselves: the name is given without it
	return "login-policy:known:" + _account(account)


def _known(account: str, client: str, device: str) -> bool:
	members = [f"c:{client}"] + ([f"d:{_digest(device)}"] if device else [])
	return any(frappe.cache.sismember(_known_set(account), m) for m in members)


def _address_key() -> str:
	return _key("address", _digest(getattr(frappe.local, "request_ip", None) or "unknown"))


def wait_seconds(account: str, device: str | None = None) -> int:
	"""Seconds this request's client must still wait before a login attempt on ``account`` is heard."""
	device = device_id() if device is None else device
	client = client_id(device)
	policy = login_policy()
	known = _known(account, client, device)
	address_wait = 0
	if not known:  # a device that logged in to this account before is not held up by its neighbours
		address_key = _address_key()
		address_wait = throttle.address_wait_seconds(
			int(frappe.cache.get(address_key) or 0), frappe.cache.ttl(address_key), policy
		)
	return max(
		address_wait,
		throttle.wait_seconds(
			_client_state(account, client), _account_failures(account), known, time.time(), policy
		),
	)


def throttled_message(wait: int) -> str:
	return _("Too many failed logins from this device: try again in {0} seconds").format(wait)


def ensure_allowed(account: str, device: str | None = None):
	"""Refuse (429) a login attempt on ``account`` from a client that must still wait."""
	wait = wait_seconds(account, device)
	if wait:
		frappe.throw(throttled_message(wait), LoginThrottledError, title=_("Try again later"))


def record_failure(account: str, device: str | None = None):
	"""Count a failed login of this request's client on ``account`` (and in the account's hourly count)."""
	policy = login_policy()
	client = client_id(device)
	state = throttle.after_failure(_client_state(account, client), time.time())
	ttl = max(policy.max_delay, policy.soft_delay, 60) + 3600
	frappe.cache.set(
		_key("client", _account(account), client), f"{state.failures}:{state.last_failure}", ex=ttl
	)
	for key in (_key("account", _account(account)), _address_key()):
		frappe.cache.set(key, 0, ex=3600, nx=True)  # the hour starts with its first failure
		frappe.cache.incrby(key, 1)


def record_success(account: str, device: str | None = None):
	"""A successful login: this client's failures are cleared and it becomes a known client of the account."""
	device = device_id() if device is None else device
	client = client_id(device)
	frappe.cache.delete(_key("client", _account(account), client))
	frappe.cache.sadd(_known_set(account), f"c:{client}", *([f"d:{_digest(device)}"] if device else []))
	frappe.cache.expire(frappe.cache.make_key(_known_set(account)), KNOWN_CLIENT_DAYS * 86400)


# ---------------------------------------------------------------- who may log in


def phone_verified(user: str) -> bool:
	"""Whether the user verified a phone by OTP (cached once true: a verification is never undone)."""
	key = _key("phone-verified", _digest(user))
	if frappe.cache.get(key):
		return True
	verified = bool(
		frappe.db.exists(
			"OTP Challenge",
			{"user": user, "status": "Verified", "purpose": ("in", ("Registration", "Phone Change"))},
		)
	)
	if verified:
		frappe.cache.set(key, 1, ex=86400)
	return verified


def refusal(user: str) -> str | None:
	"""Why ``user`` may not be logged in through any door, or None: unknown or disabled user, or a borrower
	(role Member only) whose phone is not verified."""
	from pinjaman_online.permissions import is_borrower

	if user in ("Administrator", "Guest"):
		return None
	if not frappe.get_cached_value("User", user, "enabled"):
		return _("User disabled or missing")
	if is_borrower(user) and not phone_verified(user):
		return _("Verify your phone number with the code sent by SMS first")
	return None


def ensure_user_may_login(user: str):
	"""Raise LoginRefusedError (401) when ``user`` may not log in (see ``refusal``)."""
	reason = refusal(user)
	if reason:
		frappe.throw(reason, LoginRefusedError)


# ---------------------------------------------------------------- Frappe's doors (hooks)


def _authorization() -> tuple[str, str]:
	header = frappe.get_request_header("Authorization", "") or ""
	scheme, _sep, value = header.partition(" ")
	return scheme.lower(), value.strip()


def _api_key() -> str | None:
	"""The API key of a ``token key:secret`` or ``Basic base64(key:secret)`` header, else None."""
	import base64
	import binascii

	scheme, value = _authorization()
	if scheme == "token":
		return value.split(":", 1)[0] or None
	if scheme == "basic":
		try:
			return base64.b64decode(value).decode().split(":", 1)[0] or None
		except (binascii.Error, UnicodeDecodeError, ValueError):
			return None
	return None


def before_request():
	"""hooks ``before_request``: the client's address from the trusted-proxy rule (Frappe's rate limiter and
	login tracker read ``frappe.local.request_ip``), then refuse an API key whose client must still wait."""
	frappe.local.request_ip = request_client_ip()
	key = _api_key()
	if key:
		wait = wait_seconds("api-key:" + key)
		if wait:
			frappe.local.login_policy_refused = True
			frappe.throw(throttled_message(wait), LoginThrottledError, title=_("Try again later"))


def after_request(response=None, request=None):
	"""hooks ``after_request``: count a refused API key (401) against its client; clear the count when the
	key worked. Bearer tokens and sessions are not counted: they are long random secrets."""
	key = _api_key()
	if not key or getattr(frappe.local, "login_policy_refused", False) or response is None:
		return
	account = "api-key:" + key
	if response.status_code == 401:
		record_failure(account)
	elif _client_state(account, client_id()).failures:
		record_success(account)


def enforce_on_authenticated_request():
	"""auth_hooks (after Frappe's API key / OAuth check and the borrower's bearer hook): a request that
	runs as a disabled user, or as a borrower whose phone is not verified, is refused with 401, whatever
	Frappe's version accepted (Frappe 15.44 authenticates a disabled user's API key). A Website User (a
	borrower) calling one of Frappe's methods that serve staff (any ``frappe.*`` method that is neither open to
	guests nor in ``BORROWER_FRAPPE_METHODS``) is refused with 403."""
	user = frappe.session.user if getattr(frappe.local, "session", None) else "Guest"
	if not user or user == "Guest":
		return
	reason = refusal(user)
	if reason:
		frappe.local.login_policy_refused = True
		frappe.set_user("Guest")
		frappe.local.response["message"] = reason
		raise LoginRefusedError(reason)
	method = called_method()
	if method.startswith("frappe.") and not desk_user(user) and not _open_to_website_users(method):
		frappe.throw(_("Not permitted"), frappe.PermissionError)


def _open_to_website_users(method: str) -> bool:
	"""True for a ``frappe.*`` method in ``BORROWER_FRAPPE_METHODS`` or one that Frappe lets guests call."""
	if method.startswith(BORROWER_FRAPPE_METHODS):
		return True
	try:
		return frappe.get_attr(method) in frappe.guest_methods
	except (ImportError, AttributeError, ValueError):  # resolves to nothing: refused, as Frappe would
		return False


def called_method() -> str:
	"""The dotted name of the whitelisted method this request runs, before ``override_whitelisted_methods``:
	``cmd`` of the request when it has one (Frappe 15 runs ``cmd`` whatever the path; ``api.errors``
	refuses a request whose ``cmd`` and path name different methods), else the method of the path
	(``method_of_path``); "" when the request runs none."""
	form = getattr(frappe.local, "form_dict", None) or {}
	request = getattr(frappe.local, "request", None)
	return str(form.get("cmd") or "") or method_of_path(request.path if request else "")


def method_of_path(path: str) -> str:
	"""The method an API path names, as Frappe's routers read it: ``/api/method/<name>`` and ``/api/v1/…``
	(what follows a "/" in the name is dropped), ``/api/v2/method/<name>``, a doctype's controller method
	``/api/v2/method/<doctype>/<name>`` (``<controller module>.<name>``; a doctype that does not exist leaves
	``<doctype>/<name>``, which Frappe refuses); "" for any other path."""
	for prefix in ("/api/method/", "/api/v1/method/"):
		if path.startswith(prefix):
			return path[len(prefix) :].split("/")[0]
	if path.startswith("/api/v2/method/"):
		name = path[len("/api/v2/method/") :].strip("/")
		if "/" in name:
			from frappe.modules.utils import load_doctype_module

			doctype, _, method = name.partition("/")
			try:
				return f"{load_doctype_module(doctype).__name__}.{method}"
			except (ImportError, frappe.DoesNotExistError):
				return name
		return name
	return ""


def desk_user(user: str) -> bool:
	"""True for Administrator and System Users (staff); False for Website Users (borrowers) and Guest."""
	return user == "Administrator" or frappe.get_cached_value("User", user, "user_type") == "System User"


def _is_password_door() -> bool:
	request = getattr(frappe.local, "request", None)
	return bool(request) and (
		request.path in FRAPPE_LOGIN_PATHS or frappe.local.form_dict.get("cmd") == "login"
	)


def _fail_like_frappe(message: str):
	"""Answer as Frappe answers a wrong password (message, 401), so a throttled client learns nothing."""
	frappe.local.response["message"] = message
	raise frappe.AuthenticationError(message)


def on_login(login_manager):
	"""hooks ``on_login``: Frappe accepted a user's password (or another of its login flows). A throttled
	client is refused exactly like a wrong password; then the user must be allowed to log in at all."""
	user = login_manager.user
	if _is_password_door():
		wait = wait_seconds(user)
		if wait:
			_fail_like_frappe(throttled_message(wait))
	reason = refusal(user)
	if reason:
		_fail_like_frappe(reason)
	if _is_password_door():
		device = device_id()
		if not device:
			device = frappe.generate_hash(length=32)
			frappe.local.cookie_manager.set_cookie(
				DEVICE_COOKIE, device, max_age=KNOWN_CLIENT_DAYS * 86400, httponly=True
			)
		record_success(user, device)


def on_failed_login(doc, method=None):
	"""doc_events ``Activity Log`` ``after_insert``: Frappe logs each failed password login before it answers
	401. Count it against the client, or, when the client was already waiting, answer with the wait (the
	password was not heard)."""
	if doc.operation != "Login" or doc.status != "Failed" or not _is_password_door():
		return
	account = doc.user or frappe.local.form_dict.get("usr") or ""
	wait = wait_seconds(account)
	if wait:
		frappe.local.response["message"] = throttled_message(wait)
		return
	record_failure(account)
	wait = wait_seconds(account)
	if wait:
		frappe.local.response["message"] = throttled_message(wait)
