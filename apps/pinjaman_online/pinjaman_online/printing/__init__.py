"""Printed documents: Indonesian figures and words (``words``, Frappe-free) and the helpers that the app's print
formats call from Jinja (``jinja``, registered in hooks.py)."""
