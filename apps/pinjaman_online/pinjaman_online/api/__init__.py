"""Whitelisted endpoints (seed API tables). Shared helpers for their arguments live here."""

import frappe
from frappe import _


def require(**values):
	"""Refuse a call that lacks arguments it needs, with a 417 naming them, before anything runs.

	Frappe passes request fields as keyword arguments; a missing one would otherwise fail inside Python as a
	500. Endpoints give such parameters a ``None`` default and call this first. ``False`` and ``0`` count as
	given; ``None`` and empty strings do not. Raises frappe.ValidationError (HTTP 417)."""
	missing = [name for name, value in values.items() if value is None or value == ""]
	if missing:
		frappe.throw(
			_("Missing required field(s): {0}").format(", ".join(missing)),
			title=_("Incomplete request"),
			exc=frappe.ValidationError,
		)
