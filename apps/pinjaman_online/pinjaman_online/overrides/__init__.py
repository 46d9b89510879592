"""Frappe's whitelisted methods that the app replaces (hooks.py ``override_whitelisted_methods``).

Each replacement keeps the original's arguments and answer, and adds the record-level read check that the
original lacks on some Frappe release, so that ``permissions.py``'s rules hold whatever Frappe's patch level.
Overrides apply to ``/api/method/<name>`` and ``/api/v2/method/<name>`` alike.
"""
