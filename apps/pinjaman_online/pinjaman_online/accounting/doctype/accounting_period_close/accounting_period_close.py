"""Accounting Period Close: closing a month locks the ledger against back-dated posting.

Submitting sets *Accounting Settings → Books Closed Until* to the month's last day (the posting module refuses
any journal dated on or before it); cancelling reopens the month by restoring the date the close found
(allowed only to Koperasi Admin and System Manager, by DocPerm, and only for the latest close). Months are
closed in order: a close must move the date forward.
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from pinjaman_online.lending.period import InvalidPeriod, parse_period
from pinjaman_online.permissions import SystemFieldsDocument

SETTINGS = "Accounting Settings"
REOPEN_ROLES = ("Koperasi Admin", "System Manager")


def closed_until(for_update: bool = False):
	"""Accounting Settings' ``books_closed_until`` (a date or None), read with a row lock when
	``for_update`` so that two closes cannot both move it."""
	row = frappe.db.sql(
		f"""select value from `tabSingles` where doctype = %s and field = 'books_closed_until'
		{"for update" if for_update else ""}""",
		SETTINGS,
	)
	return getdate(row[0][0]) if row and row[0][0] else None


def set_closed_until(value) -> None:
	"""Write ``books_closed_until`` (a date or None) of Accounting Settings."""
	frappe.db.set_single_value(SETTINGS, "books_closed_until", value)


def guard_books_closed_until(doc, method=None) -> None:
	"""Accounting Settings ``validate`` (doc_events): refuse a change of Books Closed Until made by saving the
	settings; a month is closed and reopened only through Accounting Period Close, which keeps the record of
	who closed what (frappe.ValidationError, 417). Install, migrate and patches are left alone."""
	if frappe.flags.in_install or frappe.flags.in_migrate or frappe.flags.in_patch:
		return
	stored = closed_until()
	new = getdate(doc.books_closed_until) if doc.books_closed_until else None
	if new != stored:
		frappe.throw(
			_("Books Closed Until is set by closing a month (Accounting Period Close) and by reopening it"),
			title=_("Not permitted"),
		)


class AccountingPeriodClose(SystemFieldsDocument):
	def validate(self):
		try:
			period = parse_period(self.period)
		except InvalidPeriod as exc:
			frappe.throw(_(exc.template).format(**exc.params), title=_("Invalid period"))
		self.period = str(period)
		self.closing_date = period.end
		if period.end >= getdate(today()):
			frappe.throw(_("A month can be closed only after its last day ({0})").format(period.end))

	def before_submit(self):
		current = closed_until(for_update=True)
		if current and getdate(self.closing_date) <= current:
			frappe.throw(
				_("The books are already closed until {0}: close a later month").format(current),
				title=_("Already closed"),
			)
		self.previous_closed_until = current
		self.closed_by = frappe.session.user

	def on_submit(self):
		set_closed_until(self.closing_date)

	def before_cancel(self):
		if frappe.session.user != "Administrator" and not set(frappe.get_roles()) & set(REOPEN_ROLES):
			frappe.throw(_("Only a Koperasi Admin may reopen a closed period"), frappe.PermissionError)
		later = frappe.get_all(
			"Accounting Period Close",
			filters={"docstatus": 1, "closing_date": (">", self.closing_date), "name": ("!=", self.name)},
			pluck="period",
		)
		if later:
			frappe.throw(
				_("Reopen the later closed months first: {0}").format(", ".join(sorted(later))),
				title=_("Later months are closed"),
			)
		closed_until(for_update=True)

	def on_cancel(self):
		set_closed_until(self.previous_closed_until)
