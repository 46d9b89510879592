import frappe
from frappe import _
from frappe.model.document import Document

from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.pricing import annual_rate_from_daily
from pinjaman_online.products.utils import fee_rules
from pinjaman_online.utils import throw_lending_error


class LoanProduct(Document):
	def validate(self):
		self.set_rate_from_daily()
		self.validate_bounds()
		self.validate_fees()

	def set_rate_from_daily(self):
		"""A product priced per day (``rate_basis`` Per Day) keeps the annual rate of its schedule at the daily
		rate × 365 (``lending.pricing.annual_rate_from_daily``)."""
		if self.rate_basis != "Per Day":
			self.daily_interest_rate = 0
			return
		from pinjaman_online.products.utils import daily_rate

		try:
			annual = annual_rate_from_daily(daily_rate(self))
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid interest rate"))
		if annual > 100:
			frappe.throw(
				_(
					"{0}% per day is {1}% per year: a schedule's rate is at most 100% per year (0.27% per day)"
				).format(daily_rate(self), annual),
				title=_("Invalid interest rate"),
			)
		self.annual_interest_rate = float(annual)

	def validate_bounds(self):
		if self.min_principal <= 0 or self.max_principal < self.min_principal:
			frappe.throw(_("Maximum principal must be at least the minimum, and both above zero"))
		if self.min_tenor_months < 1 or self.max_tenor_months < self.min_tenor_months:
			frappe.throw(_("Maximum tenor must be at least the minimum tenor, which is at least 1 month"))
		if not 0 <= self.annual_interest_rate <= 100:
			frappe.throw(_("Interest rate must be between 0% and 100% per year"))
		settings = frappe.get_cached_doc("Pinjaman Online Settings")
		cap = settings.max_annual_interest_rate or 0
		if cap and self.annual_interest_rate > cap:
			frappe.throw(
				_("Interest rate {0}% per year is above the cap of {1}% set by the administrator").format(
					self.annual_interest_rate, cap
				),
				title=_("Interest cap"),
			)
		if not self.dsr_limit:
			self.dsr_limit = settings.default_dsr_limit
		if not 0 < (self.dsr_limit or 0) <= 100:
			frappe.throw(_("DSR limit must be above 0% and at most 100%"))
		if (self.rounding_unit or 0) < 1:
			frappe.throw(_("Installment rounding unit must be at least Rp 1"))
		for fieldname, label in (("cutoff_day", _("Cut-off day")), ("due_day", _("Due day"))):
			if not 0 <= (self.get(fieldname) or 0) <= 31:
				frappe.throw(_("{0} must be a day of the month (1 to 31), or empty").format(label))

	def validate_fees(self):
		try:
			fee_rules(self)
		except LendingError as exc:
			throw_lending_error(exc, _("Invalid fee"))
