import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.lending.errors import LendingError


class CreditScorecard(Document):
	def validate(self):
		from pinjaman_online.origination.scoring import scorecard_of

		try:
			scorecard_of(self)
		except LendingError as exc:
			frappe.throw(_(str(exc)), title=_("Invalid scorecard"))
