"""Pension Fund File Format (a document an admin edits) → the core's :class:`FileFormat` (seed 004 §7).

The column layout of each fund's files is data: one *Pension Fund File Format* per fund, with the header
text of each of our fields for the export (instruction) file and for the realisation file. ``Detect``
encodings are guessed here with ``chardet`` (a Frappe dependency, kept out of the Frappe-free core).
"""

import frappe
from frappe import _

from pinjaman_online.lending.billing_file import (
	DELIMITERS,
	ENCODINGS,
	SEPARATORS,
	Column,
	FileFormat,
	InvalidFileFormat,
)


class MissingFileFormatError(frappe.ValidationError):
	pass


# chardet's names → the codec we decode with (windows-1252 is a superset of ISO-8859-1's printable range).
CHARDET_CODECS = {
	"ascii": "utf-8",
	"utf-8": "utf-8",
	"utf-8-sig": "utf-8",
	"iso-8859-1": "cp1252",
	"windows-1252": "cp1252",
}


def file_format_of(doc) -> FileFormat:
	"""The core FileFormat of a *Pension Fund File Format* document (raises InvalidFileFormat)."""

	def columns(direction: str) -> tuple[Column, ...]:
		return tuple(
			Column(row.field, (row.header or "").strip(), bool(row.required))
			for row in doc.columns
			if row.direction == direction
		)

	return FileFormat(
		name=doc.pension_fund or doc.name,
		delimiter=DELIMITERS.get(doc.delimiter, ","),
		encoding=ENCODINGS.get(doc.encoding, "utf-8"),
		decimal_separator=SEPARATORS.get(doc.decimal_separator, ".") or ".",
		thousands_separator=SEPARATORS.get(doc.thousands_separator, ""),
		period_format=(doc.period_format or "YYYY-MM").strip(),
		date_format=(doc.date_format or "YYYY-MM-DD").strip(),
		amount_decimals=int(doc.amount_decimals or 0),
		columns=columns("Realisation"),
		export_columns=columns("Export"),
		header=bool(doc.export_header),
	)


def get_file_format(pension_fund: str) -> tuple[FileFormat, str]:
	"""``(format, declared encoding label)`` of a fund; a 417 naming the fund when it has no format."""
	if not frappe.db.exists("Pension Fund File Format", pension_fund):
		frappe.throw(
			_(
				"Pension fund {0} has no Pension Fund File Format: an admin must define its columns first"
			).format(frappe.bold(pension_fund)),
			exc=MissingFileFormatError,
		)
	doc = frappe.get_cached_doc("Pension Fund File Format", pension_fund)
	try:
		return file_format_of(doc), doc.encoding
	except InvalidFileFormat as exc:
		frappe.throw(_(str(exc)), exc=MissingFileFormatError)


def detect_encoding(data: bytes) -> str:
	"""The codec to decode a realisation file with, when its format says *Detect* (chardet over the bytes)."""
	import chardet

	guess = (chardet.detect(data[:200_000]).get("encoding") or "utf-8").lower()
	return CHARDET_CODECS.get(guess, guess)
