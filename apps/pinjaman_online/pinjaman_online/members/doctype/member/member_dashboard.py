from frappe import _


def get_data():
	"""Connections on the Member form: the member's applications, loans, payments, KYC, sales visits and
	consents, notifications (every delivery to or about the member, manual ones sent to them)."""
	return {
		"fieldname": "member",
		"transactions": [
			{"label": _("Origination"), "items": ["Loan Application", "Credit Analysis"]},
			{"label": _("Loans"), "items": ["Loan", "Loan Payment"]},
			{"label": _("Identity and Visits"), "items": ["KYC Submission", "Consent Record", "Sales Visit"]},
			{"label": _("Notifications"), "items": ["Borrower Notification", "Notification Broadcast"]},
		],
	}
