"""Money as it enters through a document: whole Rupiah, refused otherwise.

Frappe stores a Currency field with up to nine decimals, so ``1000.123`` sent to ``/api/resource/Loan
Payment`` would be stored as such while the lending core works in whole Rupiah. Every money document a
client can write (``hooks.py`` ``doc_events``, and ``Loan Payment.validate``) runs
:func:`refuse_fractional_amounts` so an amount with a fraction of a Rupiah is refused with a 417 before
anything is written. A product may ask for more (Loan Product *Amounts Entered in the Rounding Unit*): then
the amount of a payment or manual penalty entered by staff on its loans must be a multiple of the product's
rounding unit (:func:`refuse_amount_off_unit`). Source: project money rule (``lending/money.py``: whole
Rupiah, or the product's unit).
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


UNIT_CHECKED = {"Loan Payment": "amount", "Loan Penalty": "amount"}
"""Doctype -> its amount field that a product's rounding unit applies to (when the product asks for it)."""


def refuse_amount_off_unit(doc, method=None) -> None:
	"""``validate`` hook: refuse (417, code ``MONEY_NOT_IN_UNIT``) a payment or manual penalty entered by staff
	whose amount is not a multiple of its loan's product rounding unit, when the product has *Amounts Entered
	in the Rounding Unit* set. Postings made by the app (``source_key`` set: settlements, gateway callbacks,
	pension deductions, manual reconciliation) are exempt: their amounts come from what was received or owed."""
	from pinjaman_online.utils import throw_lending_error, to_money

	field = UNIT_CHECKED.get(doc.doctype)
	if not field or not doc.get("loan") or doc.get("source_key") or doc.get(field) in (None, ""):
		return
	product = frappe.db.get_value("Loan", doc.loan, "loan_product")
	settings = product and frappe.db.get_value(
		"Loan Product", product, ["amounts_in_rounding_unit", "rounding_unit"], as_dict=True
	)
	if not settings or not settings.amounts_in_rounding_unit or (settings.rounding_unit or 1) <= 1:
		return
	unit = int(settings.rounding_unit)
	if to_money(doc.get(field)) % unit:
		throw_lending_error(
			InvalidInput(
				"{name} must be a multiple of Rp {unit} on loans of product {product}",
				"MONEY_NOT_IN_UNIT",
				name=_(doc.meta.get_label(field)),
				unit=f"{unit:,}".replace(",", "."),
				product=product,
			),
			_("Invalid amount"),
		)
