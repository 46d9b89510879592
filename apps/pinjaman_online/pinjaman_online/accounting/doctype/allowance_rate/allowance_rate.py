import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.lending.provisioning import KOL_NAMES


class AllowanceRate(Document):
	"""The allowance for losses of one collectibility class, in percent of its loans' outstanding principal
	(lending.provisioning; defaults seeded from POJK 33/POJK.03/2018 Pasal 16)."""

	def validate(self):
		if self.collectibility not in KOL_NAMES:
			frappe.throw(_("Collectibility must be 1–5"), title=_("Invalid collectibility"))
		if not 0 <= (self.rate or 0) <= 100:
			frappe.throw(_("The allowance rate must be between 0 and 100%"), title=_("Invalid rate"))
		self.classification = self.classification or KOL_NAMES[self.collectibility]
