"""Glue between Frappe documents and the Frappe-free lending core (``pinjaman_online.lending``).

The only place where values cross between Frappe's floats and the core's ``Decimal``: a Currency value read
from a document is taken to 2 decimals and converted through its string form, so no binary-float error
enters the core; what the core returns is written back unchanged.
"""

from decimal import Decimal

import frappe
from frappe.utils import flt, getdate

from pinjaman_online.lending.errors import InvalidInput, LendingError
from pinjaman_online.lending.inputs import MAX_RUPIAH

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
	"""A document's Currency/Percent value (float, str, Decimal or None) as a Decimal.

	Taken to 2 decimals through its string form; whole numbers come back without decimals (``Decimal(
	"1250000")``), so amounts in whole Rupiah print as such.
	"""
	amount = Decimal(str(flt(value, 2)))
	if abs(amount) > MAX_RUPIAH:  # no Currency column holds it, and quantize() would fail on it
		throw_lending_error(
			InvalidInput(
				"Amount {amount} is out of range: at most {maximum}",
				"OUT_OF_RANGE",
				amount=f"{amount:.0f}" if amount.is_finite() else str(amount),
				maximum=MAX_RUPIAH,
			)
		)
	return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.quantize(CENT)


def to_date(value):
	return getdate(value) if value else None


def throw_lending_error(exc: LendingError, title: str | None = None):
	"""Re-raise a core error through the API's error boundary (``api.errors.throw``): a Frappe ValidationError
	(HTTP 417 unless its code says otherwise) with the translated message and the error's ``code``."""
	from pinjaman_online.api.errors import throw

	throw(exc, title=title)


def lock_row(doctype: str, name: str):
	"""SELECT ... FOR UPDATE on one row: serialises money-moving operations on the same record."""
	return frappe.db.get_value(doctype, name, "name", for_update=True)


def get_settings():
	return frappe.get_cached_doc("Pinjaman Online Settings")


# Frappe's standard columns, in the order the bulk writers of this app put their values first in each row:
# (name, owner, modified_by, creation, modified, docstatus, idx).
STANDARD_FIELDS = ("name", "owner", "modified_by", "creation", "modified", "docstatus", "idx")


def insert_rows(doctype: str, fields: tuple[str, ...], rows: list[tuple], chunk_size: int = 1000) -> int:
	"""Insert many rows of a doctype's table with multi-row INSERTs (values escaped by the driver).

	For system-generated rows only (schedules), where the document layer adds nothing but time: Frappe's
	bulk_insert builds each value through the query builder, which costs more than the database work.
	Returns the number of rows inserted.
	"""
	columns = ", ".join(f"`{f}`" for f in fields)
	row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
	for start in range(0, len(rows), chunk_size):
		chunk = rows[start : start + chunk_size]
		values = [value for row in chunk for value in row]
		frappe.db.sql(
			f"INSERT INTO `tab{doctype}` ({columns}) VALUES {', '.join([row_sql] * len(chunk))}", values
		)
	return len(rows)
