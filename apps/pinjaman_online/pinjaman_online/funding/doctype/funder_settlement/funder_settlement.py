import frappe
from frappe import _
from frappe.utils import now_datetime

from pinjaman_online.funding.settlement import (
	compute_lines,
	live_key,
	live_settlement,
	period_or_throw,
	totals_of,
)
from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.utils import lock_row


class SettlementExistsError(frappe.ValidationError):
	pass


class SettlementReconciliationError(frappe.ValidationError):
	pass


class FunderSettlement(SystemFieldsDocument):
	"""A funder's monthly settlement (seed 004 §6 funder_settlements). Lines are always computed from the
	payments collected in the period, never typed in; corrections are new versions (amendments), never edits."""

	def validate(self):
		self.set_period()
		self.set_lines()
		self.set_totals()

	def before_submit(self):
		# Generating twice for the same funder and period must not make two live settlements.
		lock_row("Funder", self.funder)
		self.set_lines()
		self.set_totals()
		existing = live_settlement(self.funder, self.period_obj)
		if existing and existing != self.name:
			frappe.throw(
				_("{0} is already the live settlement of {1} for {2}: generate a new version instead").format(
					frappe.bold(existing), self.funder, self.period
				),
				title=_("Settlement exists"),
				exc=SettlementExistsError,
			)
		self.live_key = live_key(self.funder, self.period_obj)
		self.status = "Submitted"

	def on_submit(self):
		from pinjaman_online.accounting.posting import post_funder_settlement
		from pinjaman_online.borrower.events import on_settlement_submit

		post_funder_settlement(self)  # ledger: the interest's rounding, then Dr funder payable Cr bank
		on_settlement_submit(self)  # event FunderSettled: Finance and the funder notified from templates

	def before_cancel(self):
		self.status = "Superseded" if self.flags.superseded else "Cancelled"
		self.live_key = None

	def on_cancel(self):
		from pinjaman_online.accounting.posting import reverse_journals

		reverse_journals(self.doctype, self.name)

	def set_period(self):
		self.period_obj = period_or_throw(self.period)
		self.period = str(self.period_obj)
		self.period_start, self.period_end = self.period_obj.start, self.period_obj.end
		self.generated_on = now_datetime()

	def set_lines(self):
		if not hasattr(self, "period_obj"):
			self.period_obj = period_or_throw(self.period)
		self.set("lines", compute_lines(self.funder, self.period_obj))

	def set_totals(self):
		totals = totals_of([row.as_dict() for row in self.lines])
		self.total_collected = totals.collected
		self.total_collected_principal = totals.collected_principal
		self.total_collected_interest = totals.collected_interest
		self.total_collected_penalty = totals.collected_penalty
		self.total_principal = totals.principal
		self.total_interest = totals.interest
		self.total_interest_spread = totals.interest_spread
		self.total_originator_fee = totals.originator_fee
		self.total_servicing_fee = totals.servicing_fee
		self.total_fees = totals.fees
		self.net_to_funder = totals.net
		self.total_other_funders = totals.other_funders
		self.total_cooperative = totals.cooperative
		self.reconciled = int(totals.reconciles)
		if not totals.reconciles:
			frappe.throw(
				_("Settlement does not reconcile with the collected payments"),
				exc=SettlementReconciliationError,
			)
