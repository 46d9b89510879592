"""Connections of a Loan Payment: its reversal and the settlement it paid."""

from frappe import _


def get_data():
	"""Frappe's dashboard data: documents linked through their ``loan_payment`` field."""
	return {
		"fieldname": "loan_payment",
		"transactions": [
			{"label": _("Reversal and Settlement"), "items": ["Payment Reversal", "Loan Settlement"]}
		],
	}
