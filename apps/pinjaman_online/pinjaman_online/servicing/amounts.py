"""Money as it enters through a document: whole Rupiah, refused otherwise.

Frappe stores a Currency field with up to nine decimals, so ``1000.123`` sent to ``/api/resource/Loan
Payment`` would be stored as such while the lending core works in whole Rupiah. Every money document a
client can write (``hooks.py`` ``doc_events``, and ``Loan Payment.validate``) runs
:func:`refuse_fractional_amounts` so an amount with a fraction of a Rupiah is refused with a 417 before
anything is written. Source: project money rule (``lending/money.py``: whole Rupiah).
"""

import math
from decimal import Decimal, InvalidOperation

import frappe
from frappe import _

from pinjaman_online.lending.errors import InvalidInput


def _fraction(value) -> bool:
	"""Whether a Currency value (float, int, str, Decimal or None) has a part below one Rupiah."""
	if value in (None, ""):
		return False
	if isinstance(value, float):
		if not math.isfinite(value):
			return True
		value = repr(value)
	try:
		amount = Decimal(str(value).strip())
	except InvalidOperation:
		return False  # not a number at all: Frappe's own type check refuses it
	return not amount.is_finite() or amount != amount.to_integral_value()


def client_money_fields(meta) -> list:
	"""The Currency fields of ``meta`` a client can set (not read-only, not system-set)."""
	return [
		df
		for df in meta.fields
		if df.fieldtype == "Currency" and not df.read_only and (df.permlevel or 0) < 2
	]


def refuse_fractional_amounts(doc, method=None) -> None:
	"""``validate`` hook: refuse (417, code ``MONEY_NOT_WHOLE_RUPIAH``) a document, or a row of one of its
	tables, whose client-set Currency field holds a fraction of a Rupiah (``1000.123``, ``0.5``).

	Raises through ``api.errors.throw`` (frappe.ValidationError subclass, HTTP 417)."""
	from pinjaman_online.utils import throw_lending_error

	rows = [doc]
	for df in doc.meta.get_table_fields():
		rows += list(doc.get(df.fieldname) or [])
	for row in rows:
		for df in client_money_fields(frappe.get_meta(row.doctype)):
			if _fraction(row.get(df.fieldname)):
				throw_lending_error(
					InvalidInput(
						"{name} must be a whole number of Rupiah, got {value}",
						"MONEY_NOT_WHOLE_RUPIAH",
						name=_(df.label or df.fieldname),
						value=str(row.get(df.fieldname)),
					),
					_("Invalid amount"),
				)
