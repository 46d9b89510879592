"""``Idempotency-Key`` for the endpoints that move money: a client's retry posts once.

Every staff endpoint that moves money is declared with :func:`idempotent` between ``@frappe.whitelist`` and
:func:`~pinjaman_online.api.endpoint`::

	@frappe.whitelist(methods=["POST"])
	@idempotent
	@endpoint
	def pay(loan: str, amount: Money, ...) -> dict: ...

A request with the header ``Idempotency-Key: <1–255 printable characters>`` (the pattern of the IETF draft
*The Idempotency-Key HTTP Header Field* and of payment gateways such as Stripe):

* the first time, claims the key by inserting an *Idempotency Key* record (named by a hash of the user and
  the key: keys are per user) in the request's own transaction, runs the endpoint and stores its answer in
  the same transaction: the money moves and the key is remembered together, or neither;
* again with the same endpoint and arguments (a retry): answers the stored result, the same status and body,
  and runs nothing;
* again with other arguments or another endpoint: refused with 422 ``IDEMPOTENCY_KEY_REUSED``;
* at the same moment as the first (a double click, a retry after a timeout): the database's primary key makes
  the second insert wait for the first transaction; when that commits the second replays its answer, when it
  fails (nothing was posted, nothing remembered) the second runs as the first.

A request that fails is not remembered (its transaction is rolled back): a retry runs again. Keys are kept
for *Pinjaman Online Settings → Keep Idempotency Keys (hours)* (default 24); an expired key counts as new,
and :func:`purge_expired` (scheduler, daily) deletes them. Without the header an endpoint behaves as before.
"""

import datetime
import functools
import hashlib
import json

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, now_datetime
from frappe.utils.response import json_handler

from pinjaman_online.utils import STANDARD_FIELDS, insert_rows

HEADER = "Idempotency-Key"
DEFAULT_HOURS = 24
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(frappe.ValidationError):
	"""The key was used before for another request (HTTP 422)."""

	http_status_code = 422


class IdempotencyKeyInProgress(frappe.ValidationError):
	"""The first request with this key has not finished (HTTP 409)."""

	http_status_code = 409


class InvalidIdempotencyKey(frappe.ValidationError):
	"""The header's value cannot be a key (HTTP 400)."""

	http_status_code = 400


def _refuse(exc, code: str, message: str):
	frappe.local.response["code"] = code
	frappe.throw(message, exc=exc, title=_("Idempotency-Key"))


def request_key() -> str | None:
	"""The request's ``Idempotency-Key`` header (None without one). Raises InvalidIdempotencyKey (400) for an
	empty, too long (over 255 characters) or non-printable value."""
	if not getattr(frappe.local, "request", None):
		return None
	raw = frappe.get_request_header(HEADER)
	if raw is None:
		return None
	key = raw.strip()
	if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
		_refuse(
			InvalidIdempotencyKey,
			"INVALID_IDEMPOTENCY_KEY",
			_("The Idempotency-Key header must be 1 to {0} printable ASCII characters").format(
				MAX_KEY_LENGTH
			),
		)
	return key


def fingerprint(endpoint: str, arguments: dict) -> str:
	"""SHA-256 (hex) of the endpoint and its arguments as sent (values compared as text, keys sorted)."""
	canonical = json.dumps(
		{"endpoint": endpoint, "arguments": {k: _text(v) for k, v in sorted(arguments.items())}},
		sort_keys=True,
		separators=(",", ":"),
		default=str,
	)
	return hashlib.sha256(canonical.encode()).hexdigest()


def _text(value):
	if isinstance(value, dict | list):
		return json.dumps(value, sort_keys=True, default=str)
	return None if value is None else str(value)


def record_name(user: str, key: str) -> str:
	"""The Idempotency Key record of ``user``'s ``key``: a hash, so keys of different users never meet."""
	return hashlib.sha256(f"{user}\n{key}".encode()).hexdigest()[:40]


def keep_hours() -> int:
	"""Hours a key is remembered (Pinjaman Online Settings ``idempotency_key_hours``; default 24)."""
	value = frappe.db.get_single_value("Pinjaman Online Settings", "idempotency_key_hours")
	return cint(value) if value not in (None, "") else DEFAULT_HOURS


def idempotent(fn):
	"""Decorator of a money endpoint (module docstring): honour the ``Idempotency-Key`` header."""
	endpoint = f"{fn.__module__}.{fn.__name__}"

	@functools.wraps(fn)
	def wrapper(*args, **kwargs):
		key = request_key()
		if key is None:
			return fn(*args, **kwargs)
		user = frappe.session.user
		name = record_name(user, key)
		digest = fingerprint(endpoint, kwargs)
		stored = _claim(name, user, key, endpoint, digest)
		if stored is not None:
			return stored
		result = fn(*args, **kwargs)
		frappe.db.sql(
			"UPDATE `tabIdempotency Key` SET response = %s, modified = %s WHERE name = %s",
			(json.dumps(result, default=json_handler, separators=(",", ":")), now_datetime(), name),
		)
		return result

	return wrapper


def _claim(name: str, user: str, key: str, endpoint: str, digest: str):
	"""Claim the key for this request (None: go on and run it) or return the first request's answer.

	Raises IdempotencyKeyReused (422) when the key was used for another request, IdempotencyKeyInProgress
	(409) when the first request is still running after the database's lock wait."""
	now = now_datetime()
	expires = add_to_date(now, hours=keep_hours())
	try:
		insert_rows(
			"Idempotency Key",
			(*STANDARD_FIELDS, "user", "idempotency_key", "endpoint", "request_hash", "expires_at"),
			[(name, user, user, now, now, 0, 0, user, key, endpoint, digest, expires)],
		)
		return None
	except (frappe.QueryTimeoutError, frappe.QueryDeadlockError):
		_in_progress()  # the first request held the key past the database's lock wait
	except Exception as exc:
		if not frappe.db.is_duplicate_entry(exc):
			raise
	# A locking read sees the first request's committed row (the request's snapshot may be older).
	rows = frappe.db.sql(
		"""SELECT endpoint, request_hash, expires_at, response FROM `tabIdempotency Key`
		WHERE name = %s LOCK IN SHARE MODE""",
		name,
		as_dict=True,
	)
	if not rows:  # removed meanwhile (expired and purged): claim it again
		return _claim(name, user, key, endpoint, digest)
	row = rows[0]
	if row.expires_at and row.expires_at <= now:
		frappe.db.sql(
			"""UPDATE `tabIdempotency Key` SET modified = %s, endpoint = %s, request_hash = %s,
				expires_at = %s, response = NULL WHERE name = %s""",
			(now, endpoint, digest, expires, name),
		)
		return None
	if row.endpoint != endpoint or row.request_hash != digest:
		_refuse(
			IdempotencyKeyReused,
			"IDEMPOTENCY_KEY_REUSED",
			_("This Idempotency-Key was already used for another request; send a new key for a new request"),
		)
	if row.response is None:
		_in_progress()
	return json.loads(row.response)


def _in_progress():
	_refuse(
		IdempotencyKeyInProgress,
		"IDEMPOTENCY_KEY_IN_PROGRESS",
		_("A request with this Idempotency-Key is still being processed: try again in a moment"),
	)


def purge_expired(before: datetime.datetime | None = None) -> int:
	"""Scheduler (daily): delete the keys that expired before ``before`` (default now); returns how many."""
	before = before or now_datetime()
	count = frappe.db.sql("SELECT COUNT(*) FROM `tabIdempotency Key` WHERE expires_at < %s", before)[0][0]
	frappe.db.sql("DELETE FROM `tabIdempotency Key` WHERE expires_at < %s", before)
	return count
