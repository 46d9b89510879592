"""No traceback reaches a client: error responses carry a reference that staff look up in the Error Log.

Frappe puts a traceback into an error response when System Settings' *allow_error_traceback* is on, or when the
development server runs (``exc``, ``exception`` and ``_exc_source`` in JSON, a ``<pre>`` block in the HTML error
page); which settings it honours has changed between v15 releases. These request hooks hold whatever the patch
level and the settings, for every user (System Managers included):

- ``before_request`` sets Frappe's ``disable_traceback`` flag and gives the request a trace id (Frappe's
  ``frappe.monitor.get_trace_id``, which Frappe writes into the request's Error Log as *Trace ID* and into the
  ``X-Frappe-Request-Id`` response header). With site config ``monitor`` on, Frappe's own monitor carries it.
- ``after_request`` removes every traceback from error responses (status 400 and above) and gives a server
  error (5xx) its reference: ``error_reference`` in JSON (plus a message the desk shows), a line in the HTML
  page. The Error Log that Frappe queues for later insertion is written at once, so the reference can be looked
  up as soon as a user quotes it (Error Log list, filter *Trace ID*).
"""

import html
import json
import re
import uuid

import frappe
from frappe import _

TRACEBACK_MARKER = "Traceback (most recent call last)"
# Keys of a JSON error response that carry a traceback, or where in the code an error happened.
JSON_TRACEBACK_KEYS = ("exc", "exception", "_exc_source", "_debug_messages")
# Frappe queues an unhandled error's Error Log in this Redis list (frappe.deferred_insert) for the scheduler.
ERROR_LOG_QUEUE = "insert_queue_for_Error Log"
# The status line of Frappe's message page ("Status: 500") and of its web page error page ("Error Code: 500").
_STATUS_LINE = re.compile(r">\s*(?:Status|Error Code): \d{3}\s*</p>")
_PRE_WITH_TRACEBACK = re.compile(
	r"<pre[^>]*>(?:(?!</pre>).)*Traceback(?:(?!</pre>).)*</pre>", re.DOTALL | re.IGNORECASE
)


class _RequestTrace:
	"""Stands in for Frappe's request monitor when site config ``monitor`` is off: it only carries the trace id
	(``data.uuid``) that ``frappe.monitor.get_trace_id`` reads, and records nothing."""

	__slots__ = ("data",)

	def __init__(self, trace_id: str):
		self.data = frappe._dict(uuid=trace_id)

	def __getattr__(self, name):
		# dump(), add_custom_data() and whatever a later Frappe asks of its monitor: nothing to do.
		if name.startswith("__"):
			raise AttributeError(name)
		return lambda *args, **kwargs: None


def before_request():
	"""Request hook: no traceback in Frappe's own error responses, and a server-made trace id for the request
	(a client's ``X-Frappe-Request-Id`` is not kept: a reference must point at one request only)."""
	frappe.local.flags.disable_traceback = True
	trace_id = uuid.uuid4().hex
	monitor = getattr(frappe.local, "monitor", None)
	if monitor is not None and getattr(monitor, "data", None) is not None:
		monitor.data.uuid = trace_id
	else:
		frappe.local.monitor = _RequestTrace(trace_id)


def after_request(response, request):
	"""Request hook: strip tracebacks from an error response (status >= 400) and add the reference to a 5xx.

	JSON bodies lose ``exc``, ``exception``, ``_exc_source`` and ``_debug_messages`` (also inside API v2's
	``errors``), and any message holding a traceback; HTML bodies lose ``<pre>`` blocks holding one. Streamed
	responses (file downloads) are left alone."""
	if response is None or response.status_code < 400 or response.direct_passthrough or response.is_streamed:
		return
	server_error = response.status_code >= 500
	reference = _trace_id() if server_error else None
	if reference:
		_store_error_log_now(reference)
	if response.mimetype == "application/json":
		_scrub_json(response, reference)
	elif response.mimetype == "text/html":
		_scrub_html(response, reference)
	elif TRACEBACK_MARKER in response.get_data(as_text=True):
		response.set_data(_("Server error."))


def _trace_id() -> str | None:
	monitor = getattr(frappe.local, "monitor", None)
	return getattr(getattr(monitor, "data", None), "uuid", None)


def _reference_message(reference: str) -> str:
	return _("Something went wrong on the server. Quote reference {0} to the cooperative's staff.").format(
		reference
	)


def _scrub_json(response, reference: str | None):
	text = response.get_data(as_text=True)
	if (
		not reference
		and TRACEBACK_MARKER not in text
		and not any(f'"{k}"' in text for k in JSON_TRACEBACK_KEYS)
	):
		return  # nothing to remove: the body is left as Frappe wrote it
	try:
		body = json.loads(text)
	except ValueError:
		body = None
	if not isinstance(body, dict):
		if TRACEBACK_MARKER in text:
			response.set_data(json.dumps({"error_reference": reference} if reference else {}))
		return
	for key in JSON_TRACEBACK_KEYS:
		body.pop(key, None)
	for error in body.get("errors") or []:
		if isinstance(error, dict):
			error.pop("exception", None)
	if "_server_messages" in body or (reference and "errors" not in body):
		messages = _decoded_messages(body.get("_server_messages"))
		if reference and "errors" not in body:  # API v1: the desk shows _server_messages
			messages.append(
				{"message": _reference_message(reference), "title": _("Server Error"), "indicator": "red"}
			)
		body["_server_messages"] = json.dumps([json.dumps(m) for m in messages])
	if reference:
		body["error_reference"] = reference
	text = json.dumps(body, default=str)
	if TRACEBACK_MARKER in text:
		# Somewhere else still (a message, a field): keep only what a client can act on.
		body = {key: body[key] for key in ("exc_type", "error_reference") if key in body}
		text = json.dumps(body)
	response.set_data(text)


def _decoded_messages(raw) -> list:
	"""``_server_messages`` (a JSON list of JSON-encoded messages) as a list, without those holding a traceback."""
	if not raw:
		return []
	try:
		items = [json.loads(m) if isinstance(m, str) else m for m in json.loads(raw)]
	except (TypeError, ValueError):
		return []
	return [m for m in items if TRACEBACK_MARKER not in json.dumps(m, default=str)]


def _scrub_html(response, reference: str | None):
	page = response.get_data(as_text=True)
	page = _PRE_WITH_TRACEBACK.sub("", page)
	if TRACEBACK_MARKER in page:
		page = f"<!doctype html><title>{html.escape(_('Server Error'))}</title><h1>{html.escape(_('Server Error'))}</h1>"
	if reference:
		line = (
			f'<p class="error-reference text-muted text-center small" data-error-reference="{reference}">'
			f"{html.escape(_reference_message(reference))}</p>"
		)
		# Below the page's status line, else at the end of the page.
		status = _STATUS_LINE.search(page)
		if status:
			page = page[: status.end()] + line + page[status.end() :]
		elif "</body>" in page:
			page = page.replace("</body>", line + "</body>", 1)
		else:
			page += line
	response.set_data(page)


def _store_error_log_now(trace_id: str):
	"""Insert, now, the Error Log Frappe queued for this request (found by its trace id), instead of waiting for
	the scheduler's deferred insert. The failed request's own writes are rolled back first (Frappe does not
	commit them either)."""
	if frappe.flags.read_only or not getattr(frappe.local, "db", None):
		return
	needle = trace_id.encode()
	try:
		for raw in reversed(frappe.cache.lrange(ERROR_LOG_QUEUE, -50, -1) or []):
			if needle not in raw:
				continue
			if not frappe.cache.lrem(frappe.cache.make_key(ERROR_LOG_QUEUE), 1, raw):
				return  # the scheduler took it meanwhile
			frappe.db.rollback()
			try:
				frappe.get_doc({**json.loads(raw), "doctype": "Error Log"}).insert(ignore_permissions=True)
				frappe.db.commit()
			except Exception:
				frappe.db.rollback()
				frappe.cache.rpush(ERROR_LOG_QUEUE, raw)  # back to the scheduler's queue
				raise
			return
	except Exception:  # noqa: BLE001 - a request hook must not fail the response; the queued log stays queued
		frappe.logger().error("Could not store the Error Log of a server error at once", exc_info=True)
