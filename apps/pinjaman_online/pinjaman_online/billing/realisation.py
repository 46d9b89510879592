"""Pension Cut Import, step 1: read and validate the realisation file, then store its lines (seed 004 §7).

Validation is the core's :func:`~pinjaman_online.lending.billing_file.parse_realisation` with the fund's
*Pension Fund File Format*; a file with any error is refused whole (HTTP 417 listing every bad line with its
line number and reason) and nothing is written. A valid file is kept (private File) with its SHA-256; the
matching job (:mod:`pinjaman_online.billing.reconciliation`) reads it again and writes each line once, with
its outcome, in the same transaction as the payments it posts.
"""

import os
from dataclasses import replace

import frappe
from frappe import _
from frappe.utils import escape_html

from pinjaman_online.billing.file_format import detect_encoding, get_file_format
from pinjaman_online.lending.billing_file import FileRejected, ParsedFile, content_hash, parse_realisation
from pinjaman_online.lending.period import Period

SHOWN_ERRORS = 100


class RealisationFileError(frappe.ValidationError):
	pass


def read_file(file_url: str) -> bytes:
	"""The raw bytes of an uploaded File (by its URL), never decoded."""
	name = frappe.db.get_value("File", {"file_url": file_url}, "name")
	if not name:
		frappe.throw(_("File {0} not found").format(file_url), exc=RealisationFileError)
	path = frappe.get_doc("File", name).get_full_path()
	if not os.path.isfile(path):
		frappe.throw(_("File {0} is missing on disk").format(file_url), exc=RealisationFileError)
	with open(path, "rb") as fh:
		return fh.read()


def parse_file(data: bytes, pension_fund: str, period: Period) -> ParsedFile:
	"""Parse ``data`` with the fund's format (chardet when its encoding is *Detect*); see the core."""
	fmt, encoding_label = get_file_format(pension_fund)
	if encoding_label == "Detect":
		fmt = replace(fmt, encoding=detect_encoding(data))
	return parse_realisation(data, fmt, period)


def throw_rejected(parsed: ParsedFile, file_label: str):
	"""A 417 listing the file's errors (the first ones in full); every error also goes back as data in
	``frappe.local.response["errors"]`` (``[{"line": n, "reason": …}]``) for API clients."""
	errors = parsed.errors
	frappe.local.response["errors"] = [{"line": e.line, "reason": e.reason} for e in errors]
	items = "".join(f"<li>{escape_html(str(e))}</li>" for e in errors[:SHOWN_ERRORS])
	more = _("… and {0} more").format(len(errors) - SHOWN_ERRORS) if len(errors) > SHOWN_ERRORS else ""
	frappe.throw(
		_("{0} has {1} error(s); nothing was imported:").format(escape_html(file_label), len(errors))
		+ f"<ul>{items}</ul>{more}",
		title=_("Realisation file refused"),
		exc=RealisationFileError,
	)


def validate_file(doc) -> tuple[ParsedFile, str]:
	"""Read, hash and validate the import's file; ``(parsed, sha256)``. Refuses the file on any error."""
	data = read_file(doc.file)
	parsed = parse_file(data, doc.pension_fund, Period(*map(int, doc.period.split("-"))))
	if parsed.errors:
		throw_rejected(parsed, os.path.basename(doc.file))
	try:
		parsed.raise_if_invalid()
	except FileRejected:  # pragma: no cover - raise_if_invalid only raises when errors exist
		throw_rejected(parsed, os.path.basename(doc.file))
	return parsed, content_hash(data)


def load_lines(doc) -> list[frappe._dict]:
	"""The import's lines from its file, for the matching job: parsed again and checked against the hash
	taken at upload (a file changed on disk since then fails the job). Each line: ``name`` (the import line's
	name, ``<import>-<line no, 6 digits>``: also the payment's source key), ``line_no``, ``cut_import``,
	``period``, ``pension_fund``, ``pension_number``, ``nik``, ``member_name``, ``reference``,
	``deduction_date``, ``amount`` (Rupiah)."""
	data = read_file(doc.file)
	if content_hash(data) != doc.file_hash:
		frappe.throw(
			_("The file of {0} changed on disk since it was uploaded: it is not matched").format(doc.name),
			exc=RealisationFileError,
		)
	parsed = parse_file(data, doc.pension_fund, Period(*map(int, doc.period.split("-"))))
	parsed.raise_if_invalid()
	return [
		frappe._dict(
			name=line_name(doc.name, line.line_no),
			line_no=line.line_no,
			cut_import=doc.name,
			period=doc.period,
			pension_fund=doc.pension_fund,
			pension_number=line.pension_number,
			nik=line.nik,
			member_name=line.member_name[:140],
			reference=line.reference,
			deduction_date=line.deduction_date,
			amount=line.amount,
		)
		for line in parsed.lines
	]


def line_name(import_name: str, line_no: int) -> str:
	"""The name of an import line (and the source key of its payment): ``PCI-2026-00001-000042``."""
	return f"{import_name}-{line_no:06d}"
