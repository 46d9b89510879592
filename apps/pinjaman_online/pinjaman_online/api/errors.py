"""The API's error boundary: bad input becomes a 4xx with a message a person can act on, never a 500.

* :func:`throw` turns a coded error of the lending core (:class:`~pinjaman_online.lending.errors.LendingError`)
  into a Frappe exception: its class gives the HTTP status (:data:`STATUS_BY_CODE`, 417 by default), its
  message is the core's template translated into the user's language (``locale/id.po``) with the values
  filled in, and the stable ``code`` is put in the response JSON (``{"code": "OUT_OF_RANGE", "exc_type":
  …, "_server_messages": …}``) so a mobile client can act on it without parsing text.
* :func:`malformed_json_response` (``after_request`` hook): Frappe parses a JSON body in
  ``frappe.app.make_form_dict`` before any app code or ``before_request`` hook runs, and answers a body
  that does not parse with a 500 (``json.JSONDecodeError`` has no HTTP status; Frappe 15.44 up to the latest
  v15). Once Frappe has built that response, this hook checks the body itself and, when it is JSON that does
  not parse, replaces the response with a 400 ``MALFORMED_JSON`` naming the position of the error. It runs
  for every path, guest endpoints included, whatever serves the site (gunicorn, ``bench serve``).
* :func:`unknown_doctype` (``before_request`` hook): ``/api/resource/<doctype>`` and ``/api/v2`` with a
  doctype that does not exist fail inside Frappe while importing its controller (ImportError, a 500); this
  answers 404 first.
* :func:`missing_arguments` (``auth_hooks``, after authentication): a whitelisted method called without one of its
  required arguments fails in Python (TypeError, a 500, on Frappe's own methods as on any); this answers 417
  naming the arguments first.
* :func:`foreign_tables` (``before_request`` hook): a list or count naming a table that is not the doctype's
  own or one of its child tables fails in the database (unknown column, a 500); this answers 417 first.
"""

import inspect
import json
import re
from urllib.parse import unquote

import frappe
from frappe import _

from pinjaman_online.lending.errors import LendingError


class InvalidRequest(frappe.ValidationError):
	"""A request refused for its values (HTTP 417, Frappe's status for validation errors)."""

	http_status_code = 417


class MalformedRequest(frappe.ValidationError):
	"""A request whose body cannot be read at all (HTTP 400)."""

	http_status_code = 400


class NotFound(frappe.DoesNotExistError):
	"""Something named in the request does not exist (HTTP 404)."""

	http_status_code = 404


STATUS_BY_CODE: dict[str, type[Exception]] = {
	"MALFORMED_JSON": MalformedRequest,
	"UNKNOWN_DOCTYPE": NotFound,
}
"""The Frappe exception (and so the HTTP status) of a core error code; any other code is InvalidRequest."""


def throw(exc: LendingError, title: str | None = None):
	"""Raise ``exc`` as the Frappe exception of its code (see :data:`STATUS_BY_CODE`), with its message
	translated into the user's language and ``code`` in the response JSON. Never returns."""
	frappe.local.response["code"] = exc.code
	params = dict(getattr(exc, "params", None) or {})
	if isinstance(params.get("kind"), str):  # "number", "text", "object": words of the message itself
		params["kind"] = _(params["kind"])
	template = getattr(exc, "template", None) or str(exc)
	try:
		message = _(template).format(**params) if params else _(template)
	except (KeyError, IndexError, ValueError):  # a translation with other placeholders than the source
		message = str(exc)
	frappe.throw(message, exc=STATUS_BY_CODE.get(exc.code, InvalidRequest), title=title or _("Invalid input"))


def require_fields(doc, *fieldnames: str):
	"""Refuse ``doc`` (417 ``MISSING_ARGUMENT``, naming the fields by label) when any of ``fieldnames`` is
	empty. For controllers that need these values before Frappe's own mandatory check, which runs only after
	``validate``: without them the controller would fail as a 500 instead."""
	missing = [doc.meta.get_label(f) for f in fieldnames if doc.get(f) in (None, "")]
	if missing:
		frappe.local.response["code"] = "MISSING_ARGUMENT"
		frappe.throw(
			_("Missing required field(s): {0}").format(", ".join(_(label) for label in missing)),
			exc=frappe.MandatoryError,
			title=_("Incomplete request"),
		)


def malformed_json_response(response=None, request=None):
	"""``after_request`` hook: replace Frappe's 500 for a JSON body that does not parse by a 400.

	Only touches a response with status 500 to a request whose ``Content-Type`` is JSON and whose body fails
	to parse; everything else is left as it is."""
	if response is None or request is None or getattr(response, "status_code", None) != 500:
		return
	if not getattr(request, "is_json", False):
		return
	try:
		body = request.get_data(cache=True, as_text=True)
		if not body:
			return
		json.loads(body)
		return
	except UnicodeDecodeError:
		problem = None
	except json.JSONDecodeError as err:
		problem = err
	_set_language()
	if problem is None:
		detail = _("the body is not UTF-8 text")
	else:
		detail = _("{0} at line {1}, column {2}").format(problem.msg, problem.lineno, problem.colno)
	message = _("The request body is not valid JSON: {0}").format(detail)
	response.status_code = 400
	response.set_data(
		json.dumps(
			{
				"exc_type": "MalformedRequest",
				"code": "MALFORMED_JSON",
				"_server_messages": json.dumps(
					[json.dumps({"message": message, "title": _("Invalid request"), "indicator": "red"})]
				),
			}
		)
	)
	response.headers["Content-Type"] = "application/json"
	_drop_queued_error_log()


ERROR_LOG_QUEUE = "insert_queue_for_Error Log"
"""Where Frappe queues the Error Log of a 500 (``frappe.deferred_insert``) for the scheduler to insert."""


def _drop_queued_error_log():
	"""Frappe queued an Error Log for what it took for a server error; a client's malformed body is not one,
	and anyone may send many. Remove the newest queued entry of a body that failed to parse."""
	try:
		for raw in reversed(frappe.cache.lrange(ERROR_LOG_QUEUE, -20, -1) or []):
			if b"make_form_dict" in raw and b"JSONDecodeError" in raw:
				frappe.cache.lrem(frappe.cache.make_key(ERROR_LOG_QUEUE), 1, raw)
				return
	except Exception:  # noqa: BLE001 - the 400 stands even if the queue cannot be tidied
		frappe.logger().warning("Could not drop the queued Error Log of a malformed JSON body", exc_info=True)


def _set_language():
	"""Frappe sets the request's language after parsing the body; a request refused while parsing has none."""
	try:
		from frappe.translate import get_language

		frappe.local.lang = get_language()
	except Exception:  # noqa: BLE001 - the language is a nicety; the 400 is answered regardless
		frappe.local.lang = frappe.local.lang or "en"


def _generic_messages() -> dict:
	return {
		400: _("The request cannot be read."),
		401: _("Log in first: the request has no valid login or token."),
		403: _("You are not permitted to do this."),
		404: _("What the request names does not exist."),
		405: _("This address does not accept this kind of request."),
		409: _("This conflicts with the current state: reload and try again."),
		413: _("The request is too large."),
		417: _("A value in the request cannot be accepted: check the fields and try again."),
		429: _("Too many requests: wait a moment and try again."),
	}


def add_missing_message(response=None, request=None):
	"""``after_request`` hook: a JSON error response (4xx) without any message gets one a person can read.

	Frappe raises some errors without a message (``frappe.only_for``, the type check of whitelisted
	arguments, the rate limiter); with tracebacks kept from clients, such a response would carry only an
	exception class name. The message says what kind of problem it is, in the user's language."""
	if response is None or not 400 <= getattr(response, "status_code", 0) < 500:
		return
	if response.mimetype != "application/json" or response.direct_passthrough or response.is_streamed:
		return
	try:
		body = json.loads(response.get_data(as_text=True))
	except ValueError:
		return
	if not isinstance(body, dict) or body.get("_server_messages") or body.get("errors"):
		return
	if isinstance(body.get("message"), str) and body["message"].strip():
		return
	message = _generic_messages().get(response.status_code) or _("The request cannot be accepted.")
	body["_server_messages"] = json.dumps([json.dumps({"message": message, "indicator": "red"})])
	response.set_data(json.dumps(body))


def unreadable_field_names():
	"""``before_request`` hook: 400 for a form or multipart body with a field whose name is not text.

	Werkzeug keeps a field name it cannot decode as ``None``; Frappe then fails calling the method with it (a
	keyword must be a string) and again while logging that failure, so the client gets a bare 500 page."""
	form = getattr(frappe.local, "form_dict", None) or {}
	bad = [key for key in list(form) if not isinstance(key, str)]
	if not bad:
		return
	for key in bad:
		form.pop(key, None)
	frappe.local.response["code"] = "MALFORMED_FORM"
	frappe.throw(
		_("The request has a form field whose name cannot be read (not UTF-8 text)"),
		MalformedRequest,
		title=_("Invalid request"),
	)


RESOURCE_PREFIXES = ("/api/resource/", "/api/v2/document/", "/api/v2/doctype/")


def unknown_doctype():
	"""``before_request`` hook: 404 for ``/api/resource/<doctype>…`` (and the ``/api/v2`` document and
	doctype routes) when ``<doctype>`` is not a DocType of the site."""
	request = getattr(frappe.local, "request", None)
	path = getattr(request, "path", "") or ""
	prefix = next((p for p in RESOURCE_PREFIXES if path.startswith(p)), None)
	if not prefix:
		return
	doctype = unquote(path[len(prefix) :].split("/", 1)[0])
	if doctype and not frappe.db.exists("DocType", doctype):
		frappe.local.response["code"] = "UNKNOWN_DOCTYPE"
		frappe.throw(_("DocType {0} not found").format(doctype), NotFound, title=_("Not found"))
	if (
		prefix == "/api/resource/"
		and request.method in ("POST", "PUT")
		and not _resource_body_is_object(request)
	):
		frappe.local.response["code"] = "MALFORMED_BODY"
		frappe.throw(
			_(
				"Send the document as a JSON object (Content-Type: application/json), or as a form field 'data'"
			),
			MalformedRequest,
			title=_("Invalid request"),
		)


# Whitelisted methods that hand ``fields``, ``filters``, ``or_filters``, ``order_by`` and ``group_by`` of the
# request to Frappe's list query (DatabaseQuery) for the request's ``doctype``.
LIST_METHODS = frozenset(
	{
		"frappe.client.get_list",
		"frappe.client.get_count",
		"frappe.desk.reportview.get",
		"frappe.desk.reportview.get_list",
		"frappe.desk.reportview.get_count",
		"frappe.desk.reportview.export_query",
	}
)
METHOD_PREFIXES = ("/api/method/", "/api/v1/method/", "/api/v2/method/")
QUERY_ARGUMENTS = ("fields", "filters", "or_filters", "order_by", "group_by")
_TABLE = re.compile(r"`tab([^`]+)`")


def _queried_doctype(request) -> str | None:
	"""The doctype a list request queries (a REST list or count, or a list method's ``doctype``), or None."""
	form = frappe.local.form_dict or {}
	path = getattr(request, "path", "") or ""
	if request.method == "GET":
		for prefix, tail in (
			("/api/resource/", ""),
			("/api/v2/document/", ""),
			("/api/v2/doctype/", "count"),
		):
			if path.startswith(prefix):
				parts = [unquote(p) for p in path[len(prefix) :].strip("/").split("/")]
				if parts[1:] == ([tail] if tail else []):
					return parts[0]
	method = form.get("cmd") or next(
		(path[len(p) :].strip("/") for p in METHOD_PREFIXES if path.startswith(p)), None
	)
	if method in LIST_METHODS and isinstance(form.get("doctype"), str):
		return form.doctype
	return None


def _tables_named(value) -> set[str]:
	"""Doctypes whose tables a query argument names: ```tabX``` anywhere, and the doctype of a filter given as
	``[doctype, field, operator, value]``."""
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			return set(_TABLE.findall(value))
	found = set(_TABLE.findall(json.dumps(value, default=str)))
	rows = value if isinstance(value, list) else []
	for row in rows:
		if isinstance(row, list | tuple) and len(row) >= 4 and isinstance(row[0], str):
			found.add(row[0])
	return found


def foreign_tables():
	"""``before_request`` hook: 417 for a list or count whose query arguments name a table that is neither the
	queried doctype nor one of its child tables (``fields=["`tabMember`.`nik`"]`` on Loan). Frappe joins any
	such table as if it were a child table and the database refuses the query (unknown column, a 500)."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return
	doctype = _queried_doctype(request)
	if not doctype or not frappe.db.exists("DocType", doctype):
		return
	form = frappe.local.form_dict
	named = set()
	for key in QUERY_ARGUMENTS:
		if form.get(key):
			named |= _tables_named(form.get(key))
	if not named:
		return
	allowed = {doctype} | {df.options for df in frappe.get_meta(doctype).get_table_fields()}
	foreign = sorted(named - allowed)
	if foreign:
		frappe.local.response["code"] = "FOREIGN_TABLE"
		frappe.throw(
			_("{0} cannot be queried with {1}: only {1} and its child tables can").format(
				", ".join(foreign), doctype
			),
			InvalidRequest,
			title=_("Invalid request"),
		)


def _resource_body_is_object(request) -> bool:
	"""Whether Frappe's ``/api/resource`` create/update will read a JSON object from this request: the
	``data`` form field, else the raw body (``frappe.api.v1.get_request_form_data``), which otherwise fails on
	bytes or text with a 500."""
	data = frappe.local.form_dict.get("data")
	if data is None:
		try:
			data = request.get_data(cache=True).decode("utf-8")
		except UnicodeDecodeError:
			return False
		if not data.strip():
			return (
				not frappe.local.form_dict
			)  # an empty body is an empty document; a form without data is not
	if isinstance(data, dict):
		return True
	try:
		return isinstance(json.loads(data), dict)
	except (TypeError, ValueError):
		return False


# Frappe's methods whose parameters have a default but which fail without them (TypeError, ValueError, KeyError)
REQUIRED_DESPITE_DEFAULT = {
	"frappe.client.insert": ("doc",),
	"frappe.client.insert_many": ("docs",),
	"frappe.client.attach_file": ("filename", "filedata", "doctype", "docname"),
	"frappe.integrations.oauth2.authorize": ("client_id", "redirect_uri", "response_type"),
}


def ambiguous_method():
	"""``before_request`` hook: 400 for a request whose ``cmd`` names another method than its API path.

	Frappe 15 runs ``cmd`` whatever the path says and a later release may run the path's; the app's checks
	read the method from ``login_policy.called_method``, so a request must name one method only."""
	from pinjaman_online.login_policy import method_of_path

	cmd = (getattr(frappe.local, "form_dict", None) or {}).get("cmd")
	request = getattr(frappe.local, "request", None)
	named = method_of_path(getattr(request, "path", "") or "")
	if cmd and named and str(cmd) != named:
		frappe.local.response["code"] = "AMBIGUOUS_METHOD"
		frappe.throw(
			_("The request names two methods: {0} in its path and {1} in 'cmd'. Name one.").format(
				named, str(cmd)[:80]
			),
			MalformedRequest,
			title=_("Invalid request"),
		)


def _called_function():
	"""``(name, function)``: the method this request calls (``login_policy.called_method``) and the function
	Frappe will run for it, after the app's ``override_whitelisted_methods``; ``(name, None)`` when it names
	none (Frappe answers that itself)."""
	from pinjaman_online.login_policy import called_method

	name = called_method()
	if "." not in name or "/" in name:
		return name, None
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(name)
	try:
		return name, frappe.get_attr(overrides[-1] if overrides else name)
	except (ImportError, AttributeError, ValueError):
		return name, None


def missing_arguments():
	"""``auth_hooks`` entry: 417 naming the required arguments (parameters without a default, and those of
	``REQUIRED_DESPITE_DEFAULT``) that a call of a whitelisted method lacks, for the methods the caller may
	call at all (a guest's call of a method not open to guests is left to Frappe's 403)."""
	name, function = _called_function()
	if function is None or function not in frappe.whitelisted:
		return
	if frappe.session.user == "Guest" and function not in frappe.guest_methods:
		return
	try:
		parameters = inspect.signature(function).parameters.values()
	except (TypeError, ValueError):
		return
	form = frappe.local.form_dict
	missing = [
		p.name
		for p in parameters
		if p.default is inspect.Parameter.empty
		and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
		and p.name not in form
	]
	missing += [arg for arg in REQUIRED_DESPITE_DEFAULT.get(name, ()) if form.get(arg) in (None, "")]
	if missing:
		from pinjaman_online.api import require

		require(**dict.fromkeys(missing))
