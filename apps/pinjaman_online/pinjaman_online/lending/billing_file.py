"""Pension-deduction billing files: periods, file formats, the realisation parser and the export writer.

Seed 004 §7 Billing & Reconciliation: every month the cooperative sends each pension fund (Taspen, Asabri) a
file of deduction instructions (*file instruksi potongan pensiun*, CSV) and receives back the realisation
(*file realisasi potongan*). Real layouts differ between funds and change over time, so the layout is data:
a :class:`FileFormat` (delimiter, encoding, decimal and thousands separators, period and date formats, and the
column header of each of our fields), which the Frappe layer builds from the *Pension Fund File Format*
doctype. This module is pure Python (stdlib only: ``csv``, ``decimal``, ``codecs``).

Validation of a realisation file (:func:`parse_realisation`) reports **every** bad line with its 1-based line
number in the file and a reason a person can act on; a file with any error must post nothing (the caller
refuses it whole). Checked, in order:

1. the bytes: empty file, binary content (NUL bytes), the encoding (strict decoding with the declared
   encoding; a file mixing UTF-8 lines with lines in another encoding is named as such, line by line);
2. the dialect: :class:`csv.Sniffer` finds the delimiter; a file delimited differently from its format is
   refused at line 1;
3. the header (line 1): each required column of the format is present, no column appears twice;
4. every data line: number of fields, member key (pension number and/or NIK, NIK 16 digits), period (must be
   the import's period), amount (a number >= 0 written with the format's separators, at most 2 decimals),
   optional deduction date; and no line repeats an earlier one (same member key and reference).

Amounts are Rupiah as :class:`~decimal.Decimal`; periods are calendar months
(:class:`~pinjaman_online.lending.period.Period`).
"""

import codecs
import csv
import functools
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .errors import LendingError
from .money import ZERO
from .period import InvalidPeriod, Period

# ------------------------------------------------------------------------------------------------ periods

_TOKEN_RE = re.compile(r"YYYY|MM|DD")


@functools.lru_cache(maxsize=64)
def _format_regex(fmt: str, tokens: tuple[str, ...]) -> re.Pattern:
	"""A regex for a date/period format written with the tokens YYYY, MM, DD (anything else is literal)."""
	parts, pos, seen = [], 0, set()
	for m in _TOKEN_RE.finditer(fmt):
		parts.append(re.escape(fmt[pos : m.start()]))
		token = m.group(0)
		if token not in tokens or token in seen:
			raise InvalidFileFormat(f"Format {fmt!r}: token {token} is not allowed here or appears twice.")
		seen.add(token)
		parts.append({"YYYY": r"(?P<y>\d{4})", "MM": r"(?P<m>\d{1,2})", "DD": r"(?P<d>\d{1,2})"}[token])
		pos = m.end()
	parts.append(re.escape(fmt[pos:]))
	missing = [t for t in tokens if t not in seen]
	if missing:
		raise InvalidFileFormat(f"Format {fmt!r} lacks {', '.join(missing)}.")
	return re.compile("^" + "".join(parts) + "$")


@functools.lru_cache(maxsize=4096)
def _render(fmt: str, year: int, month: int, day: int = 1) -> str:
	return _TOKEN_RE.sub(
		lambda m: {"YYYY": f"{year:04d}", "MM": f"{month:02d}", "DD": f"{day:02d}"}[m.group(0)], fmt
	)


def parse_period_as(text: str, fmt: str = "YYYY-MM") -> Period:
	"""Parse a period written in ``fmt`` (tokens ``YYYY`` and ``MM``, e.g. ``"MM/YYYY"``, ``"YYYYMM"``).

	Surrounding spaces are ignored. Raises :class:`~pinjaman_online.lending.period.InvalidPeriod` with a
	human reason when ``text`` does not fit the format or the month is not 1..12. Source: seed 004 §7
	(*periode* YYYY-MM; each fund writes it its own way).
	"""
	if not isinstance(text, str) or not text.strip():
		raise InvalidPeriod(f"Period is empty; expected the format {fmt}.")
	m = _format_regex(fmt, ("YYYY", "MM")).match(text.strip())
	if not m or not 1 <= int(m.group("m")) <= 12:
		raise InvalidPeriod(f"Period {text.strip()!r} does not match the format {fmt}.")
	return Period(int(m.group("y")), int(m.group("m")))


def format_period(period: Period, fmt: str = "YYYY-MM") -> str:
	"""``period`` written in ``fmt`` (tokens ``YYYY``, ``MM``)."""
	return _render(fmt, period.year, period.month)


def parse_date(text: str, fmt: str = "YYYY-MM-DD") -> date:
	"""Parse a date written in ``fmt`` (tokens ``YYYY``, ``MM``, ``DD``); raises ``ValueError`` with a reason."""
	m = _format_regex(fmt, ("YYYY", "MM", "DD")).match(text.strip())
	if not m:
		raise ValueError(f"date {text.strip()!r} does not match the format {fmt}")
	try:
		return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
	except ValueError:
		raise ValueError(f"date {text.strip()!r} is not a calendar date") from None


def format_date(d: date, fmt: str = "YYYY-MM-DD") -> str:
	"""``d`` written in ``fmt`` (tokens ``YYYY``, ``MM``, ``DD``)."""
	return _render(fmt, d.year, d.month, d.day)


# ------------------------------------------------------------------------------------------------ errors


class InvalidFileFormat(LendingError):
	"""A pension fund's file format is inconsistent (code ``INVALID_FILE_FORMAT``). Seed 004 §7."""

	code = "INVALID_FILE_FORMAT"


@dataclass(frozen=True)
class LineError:
	"""One problem of a realisation file: ``line`` is the 1-based line number in the file (0: whole file)."""

	line: int
	reason: str

	def __str__(self) -> str:
		return f"Line {self.line}: {self.reason}" if self.line else self.reason


class FileRejected(LendingError):
	"""A realisation file has errors and is refused whole (code ``FILE_REJECTED``). Seed 004 §7.

	``errors`` holds every :class:`LineError`, in line order; ``str(err)`` summarises the first ones.
	"""

	code = "FILE_REJECTED"

	def __init__(self, errors: list[LineError], shown: int = 50) -> None:
		self.errors = tuple(sorted(errors, key=lambda e: e.line))
		head = "; ".join(str(e) for e in self.errors[:shown])
		more = f" (and {len(self.errors) - shown} more)" if len(self.errors) > shown else ""
		super().__init__(f"The file has {len(self.errors)} error(s), nothing was imported: {head}{more}")


# ------------------------------------------------------------------------------------------------ formats

REALISATION_FIELDS = (
	"pension_number",
	"nik",
	"member_name",
	"period",
	"amount",
	"reference",
	"deduction_date",
)
"""Our fields a realisation file may carry; ``period``, ``amount`` and a member key are required."""

EXPORT_FIELDS = (
	"pension_number",
	"nik",
	"member_name",
	"member",
	"period",
	"amount",
	"reference",
	"loan",
	"installment_number",
	"due_date",
	"principal",
	"interest",
	"penalty",
)
"""Our fields an export (instruction) file may carry; ``reference`` is the export line's name."""

DELIMITERS = {"Comma": ",", "Semicolon": ";", "Pipe": "|", "Tab": "\t", "Detect": ""}
SEPARATORS = {"None": "", "Point": ".", "Comma": ",", "Space": " "}
ENCODINGS = {"UTF-8": "utf-8", "Windows-1252": "cp1252", "ISO-8859-1": "latin-1", "ASCII": "ascii"}


@dataclass(frozen=True)
class Column:
	"""One column of a file: our ``field`` and the ``header`` text the fund uses for it."""

	field: str
	header: str
	required: bool = False


@dataclass(frozen=True)
class FileFormat:
	"""The layout of one pension fund's files (data from *Pension Fund File Format*; seed 004 §7).

	``delimiter``: one character, or ``""`` to detect it (csv.Sniffer); ``encoding``: a Python codec name;
	``decimal_separator`` ``"."`` or ``","``; ``thousands_separator`` ``""``, ``"."``, ``","`` or ``" "``;
	``period_format`` / ``date_format`` with tokens ``YYYY``, ``MM`` (, ``DD``); ``amount_decimals``: decimals
	written in the export (0 for whole Rupiah); ``columns``: the realisation file's columns;
	``export_columns``: the export file's columns, in file order; ``header``: whether the export has a header
	line. Raises :class:`InvalidFileFormat` when inconsistent.
	"""

	name: str
	delimiter: str = ","
	encoding: str = "utf-8"
	decimal_separator: str = "."
	thousands_separator: str = ""
	period_format: str = "YYYY-MM"
	date_format: str = "YYYY-MM-DD"
	amount_decimals: int = 0
	columns: tuple[Column, ...] = ()
	export_columns: tuple[Column, ...] = ()
	header: bool = True

	def __post_init__(self) -> None:
		problems = []
		if len(self.delimiter) > 1:
			problems.append(f"delimiter {self.delimiter!r} must be one character")
		if self.decimal_separator not in (".", ","):
			problems.append(f"decimal separator {self.decimal_separator!r} must be '.' or ','")
		if self.thousands_separator not in ("", ".", ",", " "):
			problems.append(f"thousands separator {self.thousands_separator!r} is not supported")
		if self.thousands_separator and self.thousands_separator == self.decimal_separator:
			problems.append("the thousands and decimal separators are the same")
		if self.delimiter and self.delimiter in (self.decimal_separator, self.thousands_separator):
			problems.append(f"the delimiter {self.delimiter!r} is also a separator in amounts")
		try:
			codecs.lookup(self.encoding)
		except LookupError:
			problems.append(f"unknown encoding {self.encoding!r}")
		if self.amount_decimals not in (0, 2):
			problems.append("amount decimals must be 0 or 2")
		for fmt, tokens in ((self.period_format, ("YYYY", "MM")), (self.date_format, ("YYYY", "MM", "DD"))):
			try:
				_format_regex(fmt, tokens)
			except InvalidFileFormat as exc:
				problems.append(exc.message)
		problems += _check_columns("realisation", self.columns, REALISATION_FIELDS)
		problems += _check_columns("export", self.export_columns, EXPORT_FIELDS)
		fields = {c.field for c in self.columns}
		if self.columns:
			for needed in ("period", "amount"):
				if needed not in fields:
					problems.append(f"the realisation file has no {needed} column")
			if not fields & {"pension_number", "nik"}:
				problems.append("the realisation file needs a pension number or NIK column")
		if problems:
			raise InvalidFileFormat(f"File format {self.name}: " + "; ".join(problems) + ".")

	@property
	def realisation_headers(self) -> dict[str, Column]:
		"""Case-folded header -> column of the realisation file."""
		return {_fold(c.header): c for c in self.columns}


def _check_columns(kind: str, columns: tuple[Column, ...], allowed: tuple[str, ...]) -> list[str]:
	problems, headers, fields = [], set(), set()
	for c in columns:
		if c.field not in allowed:
			problems.append(f"{kind} column {c.header!r}: unknown field {c.field!r}")
		if not c.header.strip():
			problems.append(f"{kind} column for {c.field!r} has no header")
		if _fold(c.header) in headers:
			problems.append(f"{kind} header {c.header!r} appears twice")
		if c.field in fields:
			problems.append(f"{kind} field {c.field!r} is mapped twice")
		headers.add(_fold(c.header))
		fields.add(c.field)
	return problems


def _fold(text: str) -> str:
	return " ".join(text.replace("\ufeff", "").split()).casefold()


# ------------------------------------------------------------------------------------------------ amounts


def parse_amount(text: str, decimal_separator: str = ".", thousands_separator: str = "") -> Decimal:
	"""Parse a Rupiah amount written with the given separators (``"1.250.000,50"`` with ``","`` / ``"."``).

	Accepts ASCII digits with an optional fraction of 1–2 digits after ``decimal_separator``; a thousands
	separator, when the format has one, may group the whole part by threes. Raises ``ValueError`` with a
	human reason for anything else: empty text, signs (negative amounts), currency symbols, letters, a wrong
	separator, misplaced groups, more than 2 decimals.
	"""
	raw = text.strip()
	if not raw:
		raise ValueError("amount is empty")
	if raw[0] in "+-":
		raise ValueError(f"amount {raw!r} has a sign; amounts are never negative")
	sep_name = {".": "point", ",": "comma"}[decimal_separator]
	if not all(c.isascii() and (c.isdigit() or c in (decimal_separator, thousands_separator)) for c in raw):
		raise ValueError(f"amount {raw!r} is not a number with a decimal {sep_name} and at most 2 decimals")
	whole, sep, frac = raw.partition(decimal_separator)
	if thousands_separator and thousands_separator in whole:
		groups = whole.split(thousands_separator)
		if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
			raise ValueError(f"amount {raw!r} has misplaced thousands separators")
		whole = "".join(groups)
	digits = whole.isascii() and whole.isdigit()
	if not digits or (sep and not (frac.isascii() and frac.isdigit() and len(frac) <= 2)):
		raise ValueError(f"amount {raw!r} is not a number with a decimal {sep_name} and at most 2 decimals")
	return Decimal(whole + ("." + frac if sep else ""))


def format_amount(amount: Decimal, fmt: FileFormat) -> str:
	"""``amount`` Rupiah written for ``fmt``: ``amount_decimals`` decimals (half-up), its separators."""
	q = Decimal(1) if fmt.amount_decimals == 0 else Decimal("0.01")
	text = f"{Decimal(amount).quantize(q):f}"
	whole, _, frac = text.partition(".")
	if fmt.thousands_separator:
		whole = f"{int(whole):,}".replace(",", fmt.thousands_separator)
	return whole + (fmt.decimal_separator + frac if frac else "")


# ------------------------------------------------------------------------------------------------ decoding

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def content_hash(data: bytes) -> str:
	"""SHA-256 of the file's bytes, hex: the identity of an uploaded file (same bytes, same hash)."""
	return hashlib.sha256(data).hexdigest()


def _classify(raw: bytes) -> str:
	"""``"ascii"``, ``"utf-8"`` (valid UTF-8 with non-ASCII characters) or ``"other"`` for one raw line."""
	if raw.isascii():
		return "ascii"
	try:
		raw.decode("utf-8")
	except UnicodeDecodeError:
		return "other"
	return "utf-8"


def decode(data: bytes, encoding: str) -> tuple[list[str], list[LineError]]:
	"""Decode a file's bytes into lines of text with the declared ``encoding``; ``(lines, errors)``.

	A byte-order mark decides the encoding (UTF-8 or UTF-16) whatever is declared. Without one, each raw
	line is decoded strictly; a line that does not decode is an error naming the byte. Lines that are valid
	UTF-8 next to lines that are not are reported as *mixed encodings* (the minority side, with the lines of
	the other side named): re-exporting part of a file from another program is the usual cause. A file that is
	wholly UTF-8 while a single-byte encoding is declared is refused too (names would be garbled).
	Errors carry 1-based line numbers; lines are returned without their line endings.
	"""
	if not data or not data.strip():
		return [], [LineError(0, "The file is empty.")]
	for bom, codec in _BOMS:
		if data.startswith(bom):
			try:
				return data.decode(codec).lstrip("\ufeff").splitlines(), []
			except UnicodeDecodeError as exc:
				return [], [
					LineError(0, f"The file starts with a {codec} byte-order mark but is not {codec}: {exc}")
				]
	raw_lines = data.splitlines()
	nul = [i for i, raw in enumerate(raw_lines, 1) if b"\x00" in raw]
	if nul:
		return [], [
			LineError(nul[0], "contains NUL bytes: this is not a text (CSV) file; is it a spreadsheet?")
		]
	kinds = [_classify(raw) for raw in raw_lines]
	utf8 = [i for i, k in enumerate(kinds, 1) if k == "utf-8"]
	other = [i for i, k in enumerate(kinds, 1) if k == "other"]
	errors: list[LineError] = []
	codec = codecs.lookup(encoding).name
	if utf8 and other:
		minority, majority, label = (
			(utf8, other, "UTF-8") if len(utf8) <= len(other) else (other, utf8, "not UTF-8")
		)
		named = ", ".join(map(str, majority[:5])) + (" …" if len(majority) > 5 else "")
		for i in minority:
			errors.append(
				LineError(
					i,
					f"mixed encodings: this line is {label}, unlike line(s) {named}; "
					f"save the whole file in {encoding}",
				)
			)
		return [], errors
	if codec == "utf-8":
		for i in other:
			errors.append(
				LineError(
					i, f"not valid UTF-8 ({_bad_byte(raw_lines[i - 1], 'utf-8')}); the format expects UTF-8"
				)
			)
	elif utf8:
		for i in utf8:
			errors.append(
				LineError(
					i, f"this line is UTF-8 encoded but the format expects {encoding}; names would be garbled"
				)
			)
	lines = []
	for i, raw in enumerate(raw_lines, 1):
		try:
			lines.append(raw.decode(codec))
		except UnicodeDecodeError:
			if not any(e.line == i for e in errors):
				errors.append(LineError(i, f"not valid {encoding} ({_bad_byte(raw, codec)})"))
			lines.append("")
	return (lines if not errors else []), errors


def _bad_byte(raw: bytes, codec: str) -> str:
	try:
		raw.decode(codec)
	except UnicodeDecodeError as exc:
		return f"byte 0x{raw[exc.start]:02X} at column {exc.start + 1}"
	return "undecodable"  # pragma: no cover


# ------------------------------------------------------------------------------------------------ dialect

SNIFF_DELIMITERS = ",;|\t"


def sniff_delimiter(lines: list[str], declared: str = "") -> tuple[str, LineError | None]:
	"""The delimiter of the file (``csv.Sniffer`` over its first lines) checked against the declared one.

	Returns ``(delimiter, None)`` or ``(declared, LineError)`` when the file is clearly delimited by another
	character (the sniffer finds one and the header does not contain the declared delimiter). With
	``declared == ""`` the sniffed delimiter is used, and an error is returned when none can be found.
	"""
	sample = "\n".join(lines[:50])
	try:
		sniffed = csv.Sniffer().sniff(sample, delimiters=SNIFF_DELIMITERS).delimiter
	except csv.Error:
		sniffed = ""
	names = {",": "a comma", ";": "a semicolon", "|": "a pipe", "\t": "a tab"}
	if not declared:
		if not sniffed:
			return ",", LineError(1, "cannot tell the delimiter (expected one of , ; | or tab)")
		return sniffed, None
	header = lines[0] if lines else ""
	if sniffed and sniffed != declared and declared not in header:
		return declared, LineError(
			1,
			f"the file is delimited by {names.get(sniffed, repr(sniffed))}, "
			f"the format expects {names.get(declared, repr(declared))}",
		)
	return declared, None


# ------------------------------------------------------------------------------------------------ parsing

NIK_RE = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class RealisationLine:
	"""One data line of a realisation file (seed 004 §7 *realisasi potongan*), validated.

	``line_no``: 1-based line number in the file; ``amount``: Rupiah deducted (>= 0); ``period``: the month
	deducted; ``pension_number`` / ``nik``: the member key (at least one); ``reference``: the export line it
	answers, when the fund sends it back; ``deduction_date``: when the fund deducted, if given.
	"""

	line_no: int
	pension_number: str
	nik: str
	member_name: str
	period: Period
	amount: Decimal
	reference: str = ""
	deduction_date: date | None = None

	@property
	def key(self) -> str:
		"""The member key used for duplicates: the pension number when given, else ``"NIK:<nik>"``."""
		return self.pension_number.casefold() if self.pension_number else f"nik:{self.nik}"


@dataclass
class ParsedFile:
	"""Result of :func:`parse_realisation`: valid ``lines`` and every ``errors`` entry (empty when valid)."""

	lines: list[RealisationLine] = field(default_factory=list)
	errors: list[LineError] = field(default_factory=list)
	delimiter: str = ""
	encoding: str = ""

	@property
	def total_amount(self) -> Decimal:
		"""Rupiah over all valid lines."""
		return sum((line.amount for line in self.lines), ZERO)

	def raise_if_invalid(self) -> None:
		"""Raise :class:`FileRejected` with every error when there is any."""
		if self.errors:
			raise FileRejected(self.errors)


def parse_realisation(data: bytes, fmt: FileFormat, period: Period | None = None) -> ParsedFile:
	"""Parse and validate a realisation file (bytes) with the fund's format; see the module docstring.

	``period``: the import's period; every line must be of it (``None``: not checked). Returns a
	:class:`ParsedFile` whose ``errors`` list every problem with its line number; callers refuse the file
	when there is any (``raise_if_invalid``). Never raises for bad content.
	"""
	result = ParsedFile(encoding=fmt.encoding)
	texts, errors = decode(data, fmt.encoding)
	if errors:
		result.errors = errors
		return result
	first = next((i for i, t in enumerate(texts) if t.strip()), None)
	if first is None:
		result.errors = [LineError(0, "The file is empty.")]
		return result
	delimiter, error = sniff_delimiter(texts[first:], fmt.delimiter)
	result.delimiter = delimiter
	if error:
		result.errors = [LineError(first + 1, error.reason)]
		return result
	reader = csv.reader(texts, delimiter=delimiter, quotechar='"', skipinitialspace=False, strict=True)
	rows: list[tuple[int, list[str]]] = []
	try:
		for row in reader:
			rows.append((reader.line_num, row))
	except csv.Error as exc:
		result.errors = [LineError(reader.line_num, f"cannot be read as CSV: {exc}")]
		return result
	rows = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
	header_no, header = rows[0]
	index, errors = _map_header(header_no, header, fmt)
	if errors:
		result.errors = errors
		return result
	if len(rows) == 1:
		result.errors = [LineError(header_no, "the file has a header but no data lines")]
		return result
	seen: dict[tuple[str, str], int] = {}
	for line_no, row in rows[1:]:
		line, problems = _parse_row(line_no, row, len(header), index, fmt, period)
		if problems:
			result.errors.extend(LineError(line_no, p) for p in problems)
			continue
		dup_key = (line.key, line.reference.casefold())
		if dup_key in seen:
			what = "pension number" if line.pension_number else "NIK"
			ref = " and reference" if line.reference else ""
			result.errors.append(
				LineError(
					line_no,
					f"duplicates line {seen[dup_key]} (same {what}{ref}); one line per member and period",
				)
			)
			continue
		seen[dup_key] = line_no
		result.lines.append(line)
	if result.errors:
		result.lines = []
	return result


def _map_header(line_no: int, header: list[str], fmt: FileFormat) -> tuple[dict[str, int], list[LineError]]:
	wanted = fmt.realisation_headers
	index: dict[str, int] = {}
	errors, positions = [], {}
	for pos, cell in enumerate(header):
		folded = _fold(cell)
		if folded in positions:
			errors.append(LineError(line_no, f"column {cell.strip()!r} appears twice in the header"))
		positions[folded] = pos
		if folded in wanted:
			index[wanted[folded].field] = pos
	missing = [c for c in fmt.columns if c.required and c.field not in index]
	for c in missing:
		errors.append(
			LineError(line_no, f"missing column {c.header!r} ({c.field.replace('_', ' ')}) in the header")
		)
	if not errors and not {"pension_number", "nik"} & index.keys():
		errors.append(LineError(line_no, "the header has neither a pension number nor a NIK column"))
	if not errors:
		for needed in ("period", "amount"):
			if needed not in index:
				column = next(c.header for c in fmt.columns if c.field == needed)
				errors.append(LineError(line_no, f"missing column {column!r} ({needed}) in the header"))
	return index, errors


def _parse_row(
	line_no: int, row: list[str], width: int, index: dict[str, int], fmt: FileFormat, period: Period | None
) -> tuple[RealisationLine | None, list[str]]:
	if len(row) != width:
		return None, [f"has {len(row)} fields, the header has {width}"]
	cell = {f: row[pos].strip() for f, pos in index.items()}
	problems = []
	pension_number, nik = cell.get("pension_number", ""), cell.get("nik", "")
	if not pension_number and not nik:
		problems.append("has neither a pension number nor a NIK")
	if nik and not NIK_RE.match(nik):
		problems.append(f"NIK {nik!r} is not 16 digits")
	line_period = None
	try:
		line_period = parse_period_as(cell.get("period", ""), fmt.period_format)
	except InvalidPeriod as exc:
		problems.append(exc.message[0].lower() + exc.message[1:])
	if line_period and period and line_period != period:
		problems.append(f"period {line_period} is not the import's period {period}")
	amount = None
	try:
		amount = parse_amount(cell.get("amount", ""), fmt.decimal_separator, fmt.thousands_separator)
	except ValueError as exc:
		problems.append(str(exc))
	deduction_date = None
	if cell.get("deduction_date"):
		try:
			deduction_date = parse_date(cell["deduction_date"], fmt.date_format)
		except ValueError as exc:
			problems.append(str(exc))
	if problems:
		return None, problems
	return (
		RealisationLine(
			line_no=line_no,
			pension_number=pension_number,
			nik=nik,
			member_name=cell.get("member_name", ""),
			period=line_period,
			amount=amount,
			reference=cell.get("reference", ""),
			deduction_date=deduction_date,
		),
		[],
	)


# ------------------------------------------------------------------------------------------------ writing


def write_export(rows: Iterable[Mapping[str, object]], fmt: FileFormat) -> bytes:
	"""The export (instruction) file for ``rows``, encoded with the format's encoding.

	Each row maps our export fields (:data:`EXPORT_FIELDS`) to values: ``period`` a :class:`Period`, dates
	``date``, amounts ``Decimal`` (Rupiah), anything else written with ``str``. Columns follow
	``fmt.export_columns``; a header line comes first when ``fmt.header``. Lines end with CRLF (RFC 4180).
	Raises :class:`InvalidFileFormat` when the format has no export columns, ``UnicodeEncodeError`` when a
	value cannot be written in the format's encoding.
	"""
	if not fmt.export_columns:
		raise InvalidFileFormat(f"File format {fmt.name} has no export columns.")
	out = io.StringIO()
	writer = csv.writer(out, delimiter=fmt.delimiter or ",", quotechar='"', lineterminator="\r\n")
	if fmt.header:
		writer.writerow([c.header for c in fmt.export_columns])
	money = {"amount", "principal", "interest", "penalty"}
	for row in rows:
		cells = []
		for c in fmt.export_columns:
			value = row.get(c.field)
			if value is None:
				cells.append("")
			elif c.field in money:
				cells.append(format_amount(value, fmt))
			elif isinstance(value, Period):
				cells.append(format_period(value, fmt.period_format))
			elif isinstance(value, date):
				cells.append(format_date(value, fmt.date_format))
			else:
				cells.append(str(value))
		writer.writerow(cells)
	return out.getvalue().encode(fmt.encoding)
