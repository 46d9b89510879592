"""How a stored file is answered to a browser: shown, or downloaded and unable to run anything.

A file a user uploaded is shown in the browser, on the site's own origin, when someone opens its link. A file
that a browser runs as a page (HTML in its many spellings: ``.html``, ``.shtml``, ``.xhtml``, SVG, ``.svgz``,
XML with a style sheet…) would run its scripts in the session of whoever opens it: a borrower's "KTP" uploaded as
``ktp.xhtml`` and opened by an analyst. Frappe forces a download for four extensions only. Here only types a
browser shows without running anything are shown (``INLINE_EXTENSIONS``); every other file is sent as a download
with ``Content-Security-Policy: sandbox``, so that even a browser that shows it runs nothing and has no access to
the site. Public files (``/files/``) are served by nginx, whose configuration (``config/nginx.conf.template``)
applies the same list; private files (``/private/files/``) are answered by Frappe and this ``after_request``
hook.
"""

import os

import frappe

# images, PDFs and plain text: shown in the browser
INLINE_EXTENSIONS = frozenset(
	{".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".pdf", ".txt", ".csv"}
)


def shown_inline(filename: str) -> bool:
	"""True when a file named ``filename`` may be shown in the browser (its extension, any case, is one of
	``INLINE_EXTENSIONS``)."""
	return os.path.splitext(filename)[1].lower() in INLINE_EXTENSIONS


def harden_private_file(response=None, request=None):
	"""``after_request`` hook: a private file of any other type than ``INLINE_EXTENSIONS`` is answered as a
	download (``Content-Disposition: attachment``) under ``Content-Security-Policy: sandbox``."""
	request = request or getattr(frappe.local, "request", None)
	if response is None or request is None or not request.path.startswith("/private/files/"):
		return
	filename = os.path.basename(request.path)
	if shown_inline(filename):
		return
	response.headers.set("Content-Disposition", "attachment", filename=filename)
	response.headers["Content-Security-Policy"] = "sandbox"
