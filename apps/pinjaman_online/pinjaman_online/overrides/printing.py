"""Frappe's PDF endpoints that render what the client sends (hooks.py ``override_whitelisted_methods``).

- ``report_to_pdf`` renders HTML posted by the client (the report's "PDF" button). In Frappe any logged-in user,
  a borrower's token too, may call it, and wkhtmltopdf loads whatever the HTML names from the server's network:
  ``<iframe src="http://127.0.0.1:…">`` came back as a PDF of that internal page. Here it is for desk users
  only; the HTML keeps only what loads from the site itself (``printing/html_guard.py``) and wkhtmltopdf is
  given a proxy that refuses every connection for every other host, so that nothing the guard may have missed
  reaches the network: such a load makes a 417, not a PDF.
- ``download_pdf`` takes a ``doc`` argument meant for Python callers; sent over HTTP it is text and Frappe
  failed with a 500. Here a document to print is named, never sent (417).
- ``download_multi_pdf`` and ``download_multi_pdf_async`` (the list's bulk Print) pass the client's ``options``
  to wkhtmltopdf as command-line options (local file access, proxies, files it writes) and answer an empty
  PDF, logging an error per record, for records the user may not print. Here ``options`` takes only the page
  size of the desk's print dialog and a record the user may not print answers 403 before anything is rendered.
"""

import json
import re
from urllib.parse import urlsplit

import frappe
from frappe import _
from frappe.core.doctype.access_log.access_log import make_access_log
from frappe.utils import cint
from frappe.utils import print_format as frappe_print_format
from frappe.utils.pdf import get_pdf

from pinjaman_online.login_policy import desk_user
from pinjaman_online.overrides import json_argument
from pinjaman_online.printing.html_guard import keep_own_resources

# a proxy that refuses every connection (connecting to port 0 fails at once): loads that bypass it are the
# site's own host only
_NO_ROUTE_PROXY = "http://127.0.0.1:0"
_PAGE_SIZES = frozenset(
	["A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "B0", "B1", "B2", "B3", "B4", "B5", "B6"]
	+ ["B7", "B8", "B9", "B10", "C5E", "Comm10E", "DLE", "Executive", "Folio", "Ledger", "Legal", "Letter"]
	+ ["Tabloid", "Custom"]
)
_LENGTH = re.compile(r"\d{1,5}(\.\d{1,3})?(mm|cm|in|px)?")


def site_origin() -> str:
	"""The site's own address as wkhtmltopdf fetches it (``host_name`` of the site's config, which bin/setup
	sets; else Frappe's ``get_url()``), without a trailing slash."""
	return (frappe.local.conf.get("host_name") or frappe.utils.get_url()).rstrip("/")


@frappe.whitelist(methods=["POST"])
def report_to_pdf(html, orientation="Landscape"):
	"""The PDF of a report page posted by the desk (Frappe's ``report_to_pdf``, same arguments and answer).

	:param html: the page, as Frappe's ``frappe.render_pdf`` posts it
	:param orientation: "Landscape" or "Portrait"
	:raises frappe.PermissionError: for a user without desk access (a borrower, a website user) — 403
	:raises frappe.ValidationError: for another orientation, or a page whose rendering tried to load from
	  another address — 417
	"""
	if not desk_user(frappe.session.user):
		frappe.throw(_("Only staff can make a PDF of a report."), frappe.PermissionError)
	if orientation not in ("Landscape", "Portrait"):
		frappe.throw(_("Orientation must be Landscape or Portrait."))
	if not isinstance(html, str):
		frappe.throw(_("The report's page must be text."))
	origin = site_origin()
	html = keep_own_resources(html, origin)
	host = urlsplit(origin).hostname or "localhost"
	make_access_log(file_type="PDF", method="PDF", page=html)
	options = {"orientation": orientation, "proxy": _NO_ROUTE_PROXY, "bypass-proxy-for": host}
	try:
		content = get_pdf(html, options)
	except OSError:
		frappe.log_error(title="Report PDF refused")
		frappe.throw(_("The PDF cannot be made: the report's page loads something from outside this site."))
	frappe.local.response.filename = "report.pdf"
	frappe.local.response.filecontent = content
	frappe.local.response.type = "pdf"


def _pdf_options(options) -> dict:
	"""The client's PDF options reduced to what the desk's print dialog sends: ``page-size`` (a paper name or
	Custom) and, for Custom, ``page-width``/``page-height`` (a length, mm by default). Raises
	frappe.ValidationError (417) for any other option or value."""
	if options in (None, "", "{}"):
		return {}
	options = json_argument(options, dict, _("PDF options must be a JSON object."))
	kept = {}
	for key, value in options.items():
		if key == "page-size" and value in _PAGE_SIZES:
			kept[key] = value
		elif key in ("page-width", "page-height") and _LENGTH.fullmatch(str(value)):
			kept[key] = str(value)
		else:
			frappe.throw(
				_("PDF option {0} is not allowed: only page-size, page-width and page-height.").format(
					frappe.bold(str(key)[:40])
				)
			)
	return kept


def _doctype_argument(doctype):
	"""Frappe's ``doctype`` argument of a bulk print: a doctype's name, or a dict of doctype to names (also sent
	as JSON text). Raises frappe.ValidationError (417) for JSON that does not parse."""
	if isinstance(doctype, str) and doctype.lstrip().startswith("{"):
		return json_argument(doctype, dict, _("The records to print must be a JSON object."))
	return doctype


def _records(doctype, name) -> list[tuple[str, str]]:
	"""(doctype, name) pairs of a bulk print request in either of Frappe's shapes: a doctype and a JSON list of
	names, or a dict of doctype to names. Raises frappe.ValidationError (417) for another shape."""
	if isinstance(doctype, dict):
		pairs = [(dt, n) for dt, names in doctype.items() for n in (names if isinstance(names, list) else [])]
	else:
		names = json_argument(name, list, _("The records to print must be a JSON list of names."))
		pairs = [(doctype, n) for n in names]
	if not pairs or not all(isinstance(dt, str) and isinstance(n, str | int) for dt, n in pairs):
		frappe.throw(_("Name the records to print."))
	return [(dt, str(n)) for dt, n in pairs]


def _check_print_permission(doctype, name):
	"""Refuse (403) the whole request when the user may not print one of its records; a record that does not
	exist answers as one the user may not print."""
	for dt, n in _records(doctype, name):
		if (
			not frappe.db.exists("DocType", dt)
			or not frappe.db.exists(dt, n)
			or not frappe.has_permission(dt, "print", n)
		):
			frappe.throw(
				_("You are not allowed to print {0} {1}.").format(_(dt), frappe.bold(n)),
				frappe.PermissionError,
			)


@frappe.whitelist()
def download_multi_pdf(doctype, name, format=None, no_letterhead=False, letterhead=None, options=None):
	"""Frappe's bulk print as one PDF (same arguments and answer), for records the user may print and with the
	page size options only. 403 when one of the records may not be printed; 417 for another option."""
	options = _pdf_options(options)
	doctype = _doctype_argument(doctype)
	_check_print_permission(doctype, name)
	return frappe_print_format._download_multi_pdf(
		doctype, name, format, cint(no_letterhead), letterhead, options or None
	)


@frappe.whitelist()
def download_multi_pdf_async(doctype, name, format=None, no_letterhead=False, letterhead=None, options=None):
	"""Frappe's bulk print in a background job (same arguments and answer: the task id), checked as
	``download_multi_pdf`` before the job is queued."""
	options = _pdf_options(options)
	doctype = _doctype_argument(doctype)
	_check_print_permission(doctype, name)
	return frappe_print_format.download_multi_pdf_async(
		doctype, name, format, cint(no_letterhead), letterhead, json.dumps(options) if options else None
	)


@frappe.whitelist(allow_guest=True)
def download_pdf(doctype, name, format=None, doc=None, no_letterhead=0, language=None, letterhead=None):
	"""Frappe's PDF of one record (same arguments and answer; a guest prints with a shared key as in Frappe).
	``doc`` is refused (417): over HTTP a record is named by ``doctype`` and ``name``."""
	if doc is not None:
		frappe.throw(_("Name the record to print by its doctype and name; a record cannot be sent to print."))
	if not isinstance(doctype, str) or not isinstance(name, str | int):
		frappe.throw(_("Name the record to print by its doctype and name."))
	return frappe_print_format.download_pdf(
		doctype, str(name), format, None, cint(no_letterhead), language, letterhead
	)
