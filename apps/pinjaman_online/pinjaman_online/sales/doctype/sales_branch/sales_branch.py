from frappe import _
from frappe.model.document import Document

from pinjaman_online.lending.commission import InvalidCommission, resolve_rate
from pinjaman_online.utils import throw_lending_error, to_money


class SalesBranch(Document):
	def validate(self):
		self.validate_default_rate()

	def validate_default_rate(self):
		if self.default_commission_rate:
			try:
				resolve_rate(self.name, [], to_money(self.default_commission_rate))
			except InvalidCommission as exc:
				throw_lending_error(exc, _("Invalid commission rate"))
