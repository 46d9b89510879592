"""The desk's PDF check, for the wkhtmltopdf that Debian packages.

Before opening a PDF the desk's print view asks ``frappe.utils.pdf.is_wkhtmltopdf_valid`` and, when the answer
is no, shows "Invalid wkhtmltopdf version" to the clerk. Frappe's answer is yes only for the build "with patched
qt", whose extra features are repeated page headers and footers (``--header-html``/``--footer-html``). The
app's print formats carry their letterhead in the page body and need none of them, and Debian's build renders
them (``bin/setup`` installs it), so any wkhtmltopdf that runs is valid here.
"""

import subprocess

import frappe


@frappe.whitelist()
def is_wkhtmltopdf_valid() -> bool:
	"""True when a wkhtmltopdf executable answers ``--version`` (any build, patched Qt or not)."""
	try:
		output = subprocess.run(
			["wkhtmltopdf", "--version"], capture_output=True, text=True, timeout=10, check=True
		).stdout
	except (OSError, subprocess.SubprocessError):
		return False
	return output.lower().startswith("wkhtmltopdf")
