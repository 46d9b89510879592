"""Connections of a Loan: every document that moved its money or its terms."""

from frappe import _


def get_data():
	"""Frappe's dashboard data: documents linked to the Loan through their ``loan`` field."""
	return {
		"fieldname": "loan",
		"internal_links": {"Loan Application": "loan_application"},
		"transactions": [
			{"label": _("Origination"), "items": ["Loan Application"]},
			{
				"label": _("Money In and Out"),
				"items": ["Loan Disbursement", "Loan Payment", "Payment Reversal"],
			},
			{"label": _("Changes"), "items": ["Loan Restructure", "Loan Settlement", "Loan Penalty"]},
			{"label": _("Funding and Billing"), "items": ["Funder Allocation", "Pension Cut Export Line"]},
		],
	}
