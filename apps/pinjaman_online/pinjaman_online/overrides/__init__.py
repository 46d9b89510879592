"""Frappe's whitelisted methods that the app replaces (hooks.py ``override_whitelisted_methods``).

Each replacement keeps the original's arguments and answer, and adds the record-level read check that the
original lacks on some Frappe release, so that ``permissions.py``'s rules hold whatever Frappe's patch level.
Overrides apply to ``/api/method/<name>`` and ``/api/v2/method/<name>`` alike.
"""

import json

import frappe


def json_argument(value, kind: type, message: str):
	"""A request argument sent as JSON text or already parsed (a JSON body), as ``kind`` (dict or list).
	Raises frappe.ValidationError (417) with ``message`` when it is neither."""
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			frappe.throw(message)
	if not isinstance(value, kind):
		frappe.throw(message)
	return value
