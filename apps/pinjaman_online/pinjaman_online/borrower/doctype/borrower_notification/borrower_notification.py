import frappe
from frappe import _
from frappe.model.document import Document


class BorrowerNotification(Document):
	"""One message sent to a borrower on one channel (delivery log, written by ``borrower/notifications.py``)."""

	def validate(self):
		if not (self.user or self.recipient):
			frappe.local.response["code"] = "MISSING_ARGUMENT"
			frappe.throw(
				_("Missing required field(s): {0}").format(_("User or Recipient")),
				exc=frappe.MandatoryError,
				title=_("Incomplete request"),
			)
