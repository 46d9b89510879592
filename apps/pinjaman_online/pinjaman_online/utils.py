"""Glue between Frappe documents and the Frappe-free lending core (``pinjaman_online.lending``).

The only place where values cross between Frappe's floats and the core's ``Decimal``: a Currency value read
from a document is taken to 2 decimals and converted through its string form, so no binary-float error
enters the core; what the core returns is written back unchanged.
"""

from decimal import Decimal

import frappe
from frappe.utils import flt, getdate
from frappe.utils.caching import request_cache

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


@request_cache
def table_columns(doctype: str) -> frozenset[str]:
	"""The columns of ``doctype``'s table as its metadata declares them (``Meta.get_valid_columns``: the
	standard columns and every data field), read once per request or job."""
	return frozenset(frappe.get_meta(doctype).get_valid_columns())


@request_cache
def date_columns(doctype: str) -> frozenset[str]:
	"""The Date and Datetime columns of ``doctype``'s table (``creation``, ``modified`` and the fields of those
	types), read once per request or job."""
	meta = frappe.get_meta(doctype)
	return frozenset(
		{"creation", "modified"}
		| {df.fieldname for df in meta.fields if df.fieldtype in ("Date", "Datetime")}
	)


def insert_rows(
	doctype: str,
	columns: tuple[str, ...],
	rows: list[tuple],
	chunk_size: int = 1000,
	upsert: bool = False,
	keep: tuple[str, ...] = (),
) -> int:
	"""Write many rows of a doctype's table with multi-row INSERTs; returns the number of rows given.

	The one bulk writer of the app, for system-generated rows only (schedules, bulk-posted payments and
	their allocations, import lines, ledger entries, status changes…), where the document layer adds nothing
	but time: Frappe's ``bulk_insert`` builds each value through the query builder, which costs more than the
	database work. Runs in the caller's transaction and never commits.

	``columns``: the column names, in the order of each row's values; every one must be a column of the
	doctype's table (:func:`table_columns`), else ``ValueError`` before anything is written. ``rows``: tuples
	with one value per column (``ValueError`` otherwise); values are bound by the database driver
	(``frappe.db.sql`` with ``%s`` placeholders): Decimal, int, str and None as they are, a date or datetime
	in a Date/Datetime column (:func:`date_columns`) as its ISO text, which MariaDB reads back as the same
	value (the driver's own date formatting costs several times more, and bulk rows repeat their stamps).
	``chunk_size``: rows per statement. ``upsert``: a row whose primary key (or another unique key) exists
	updates that row instead (``INSERT … ON DUPLICATE KEY UPDATE``), every given column but ``name`` and
	those in ``keep`` (written for a new row, left as they are on an existing one); rows that exist should be
	locked by the caller.
	"""
	columns, keep = tuple(columns), tuple(keep)
	valid = table_columns(doctype)
	unknown = [c for c in (*columns, *keep) if c not in valid]
	if unknown:
		raise ValueError(f"{doctype} has no column {', '.join(unknown)}")
	width = len(columns)
	head = f"INSERT INTO `tab{doctype}` ({', '.join(f'`{c}`' for c in columns)}) VALUES "
	tail = ""
	if upsert:
		updated = [c for c in columns if c != "name" and c not in keep]
		tail = " ON DUPLICATE KEY UPDATE " + ", ".join(f"`{c}` = VALUES(`{c}`)" for c in updated)
	marks = "(" + ", ".join(["%s"] * width) + ")"
	dates = [i for i, c in enumerate(columns) if c in date_columns(doctype)]
	texts: dict = {}  # date or datetime -> its ISO text, each computed once
	for start in range(0, len(rows), chunk_size):
		chunk = rows[start : start + chunk_size]
		values = [value for row in chunk for value in row]
		if len(values) != width * len(chunk):
			raise ValueError(f"{doctype}: every row needs one value for each of the {width} columns")
		for i in dates:
			values[i::width] = [
				v if v is None or type(v) is str else texts.get(v) or texts.setdefault(v, str(v))
				for v in values[i::width]
			]
		frappe.db.sql(head + ", ".join([marks] * len(chunk)) + tail, values)
	return len(rows)
