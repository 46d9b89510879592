"""Connections of a Pension Cut Export Line: what the imports realised on it."""

from frappe import _


def get_data():
	"""Frappe's dashboard data: realisations linked through their ``export_line`` field."""
	return {
		"fieldname": "export_line",
		"transactions": [{"label": _("Realisations"), "items": ["Pension Cut Realisation"]}],
	}
