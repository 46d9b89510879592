"""Connections of a Pension Cut Import Line: what it realised on the export lines."""

from frappe import _


def get_data():
	"""Frappe's dashboard data: realisations linked through their ``import_line`` field."""
	return {
		"fieldname": "import_line",
		"transactions": [{"label": _("Realisations"), "items": ["Pension Cut Realisation"]}],
	}
