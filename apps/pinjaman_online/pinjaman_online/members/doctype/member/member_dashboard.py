from frappe import _


def get_data():
	"""Connections on the Member form: the member's applications, loans, payments, KYC and sales visits."""
	return {
		"fieldname": "member",
		"transactions": [
			{"label": _("Origination"), "items": ["Loan Application", "Credit Analysis"]},
			{"label": _("Loans"), "items": ["Loan", "Loan Payment"]},
			{"label": _("Identity and Visits"), "items": ["KYC Submission", "Sales Visit"]},
		],
	}
