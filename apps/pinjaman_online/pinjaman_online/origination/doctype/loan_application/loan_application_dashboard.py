from frappe import _


def get_data():
	"""Connections on the Loan Application form: its credit analysis, the loan it became, sales visits."""
	return {
		"fieldname": "loan_application",
		"transactions": [
			{"label": _("Analysis"), "items": ["Credit Analysis"]},
			{"label": _("Loan"), "items": ["Loan"]},
			{"label": _("Sales"), "items": ["Sales Visit"]},
		],
	}
