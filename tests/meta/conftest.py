"""Tier 1 metadata checks: read the app's JSON and Python as files (no Frappe, no database, no app import).

``appmeta`` (next to this file) holds the shared readers; it is put on sys.path here so that the test modules
can import it under any ``--import-mode``.
"""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
	sys.path.insert(0, HERE)

import appmeta


def pytest_report_header(config):
	frappe = appmeta.rel(appmeta.FRAPPE_PKG) if appmeta.HAS_FRAPPE else "absent (allowlist only)"
	return f"metadata checks: app {appmeta.rel(appmeta.APP_PKG)}; Frappe tree: {frappe}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
	"""List the whitelisted API methods found, so a new or vanished endpoint shows in every run."""
	try:
		found = appmeta.whitelisted_functions()
	except (OSError, SyntaxError):
		return
	terminalreporter.write_sep(
		"-", f"whitelisted API methods in {appmeta.rel(appmeta.API_DIR)}: {len(found)}"
	)
	for w in found:
		terminalreporter.write_line(f"{w.dotted}  ({appmeta.rel(w.path)}:{w.node.lineno})")
