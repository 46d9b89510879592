"""Connections of a Pension Cut Import: its lines, what they realised, its exceptions and refund requests."""

from frappe import _


def get_data():
	"""Frappe's dashboard data: records linked to the import through their ``cut_import`` field."""
	return {
		"fieldname": "cut_import",
		"transactions": [
			{
				"label": _("Results"),
				"items": [
					"Pension Cut Import Line",
					"Pension Cut Realisation",
					"Reconciliation Exception",
					"Refund Request",
				],
			}
		],
	}
