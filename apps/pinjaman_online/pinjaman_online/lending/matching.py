"""Matching pension-deduction realisations with what was billed (seed 004 §7 Billing & Reconciliation).

The rule, one realisation line at a time (amounts in Rupiah, ``Decimal``):

1. **Member**: the line's pension number and NIK are looked up (case and surrounding spaces ignored). Found by
   either → that member; by both but pointing at two different members → UNMATCHED (conflicting keys); by
   neither → UNMATCHED (unknown member).
2. **Bill**: the member's export lines of the period still open (billed − already realised). When the line
   carries a ``reference`` (the export line's name, sent back by the fund) the bill is that one export line,
   which must belong to the member (else UNMATCHED, unknown reference); otherwise it is all the member's
   export lines of the period, oldest due date first. A member with no export line in the period is
   UNMATCHED (not billed).
3. **Amount**: ``difference = realised − expected`` (expected = what is still open on the bill).
   ``|difference| <= tolerance`` → MATCHED, the realised amount is posted (a small excess is a prepayment);
   ``difference < −tolerance`` → SHORT, the realised amount is posted as a partial payment and the rest stays
   due; ``difference > tolerance`` → OVER, the expected amount is posted and the excess is refunded.
   Every difference is kept on the result, also within the tolerance.
4. **Postings**: the posted amount fills the bill's export lines in order (each up to what is open on it);
   anything left (the excess within tolerance) goes to the first line's loan. The bill lines' ``realised``
   amounts are updated in place, so two lines of one file never realise the same instruction twice.

UNMATCHED lines post nothing: the caller records a reconciliation exception (seed: ``exception_logs``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import Choice
from .errors import LendingError
from .money import ZERO, to_decimal


class MatchStatus(Choice):
	"""Outcome of matching one realisation line (seed 004 §7)."""

	MATCHED = "Matched"
	SHORT = "Short"
	OVER = "Over"
	UNMATCHED = "Unmatched"

	@classmethod
	def label(cls) -> str:
		return "match status"


class UnmatchedReason(Choice):
	"""Why a line could not be matched; stored on the reconciliation exception (seed 004 §7, §8)."""

	UNKNOWN_MEMBER = "Unknown Member"
	CONFLICTING_KEYS = "Conflicting Keys"
	NOT_BILLED = "Not Billed"
	UNKNOWN_REFERENCE = "Unknown Reference"
	POSTING_FAILED = "Posting Failed"

	@classmethod
	def label(cls) -> str:
		return "unmatched reason"


class InvalidMatch(LendingError):
	"""Bad input to the matcher: negative amounts or tolerance (code ``INVALID_MATCH``). Seed 004 §7."""

	code = "INVALID_MATCH"


def normalise_key(text: str | None) -> str:
	"""A pension number or NIK as compared when matching: surrounding spaces removed, case-folded."""
	return (text or "").strip().casefold()


@dataclass
class BillLine:
	"""One billed installment (an export line) of a member in the period, in Rupiah (seed 004 §7).

	``name``: the export line; ``loan``: the loan it bills; ``billed``: amount instructed; ``realised``: amount
	already realised by earlier lines or imports. Mutable: the matcher adds what it posts to ``realised``.
	"""

	name: str
	loan: str
	billed: Decimal
	realised: Decimal = ZERO

	def __post_init__(self) -> None:
		self.billed, self.realised = to_decimal(self.billed), to_decimal(self.realised)
		if self.billed < ZERO or self.realised < ZERO:
			raise InvalidMatch(f"Bill line {self.name}: amounts must not be negative.")

	@property
	def open(self) -> Decimal:
		"""Rupiah still to be realised on this line (never negative)."""
		return max(self.billed - self.realised, ZERO)


@dataclass(frozen=True)
class Posting:
	"""Rupiah of a realisation to post on ``loan`` for the export line ``bill_line`` (seed 004 §7)."""

	bill_line: str
	loan: str
	amount: Decimal


@dataclass(frozen=True)
class MatchResult:
	"""The outcome for one realisation line; amounts in Rupiah (seed 004 §7).

	``expected``: what was still open on the bill; ``realised``: what the fund deducted;
	``difference`` = realised − expected (recorded for every line); ``within_tolerance``: ``|difference|`` <=
	tolerance; ``postings``: what to post, per export line and loan; ``refund``: excess to give back;
	``reason`` / ``message``: why an UNMATCHED line could not be matched.
	Invariant for matched lines: ``posted + refund == realised``.
	"""

	status: MatchStatus
	member: str | None
	expected: Decimal
	realised: Decimal
	difference: Decimal
	within_tolerance: bool
	postings: tuple[Posting, ...] = ()
	refund: Decimal = ZERO
	reason: UnmatchedReason | None = None
	message: str = ""

	@property
	def posted(self) -> Decimal:
		"""Rupiah posted as payments."""
		return sum((p.amount for p in self.postings), ZERO)

	def per_loan(self) -> list[tuple[str, Decimal]]:
		"""Postings summed per loan, in the order the loans first appear (one payment per loan)."""
		totals: dict[str, Decimal] = {}
		for p in self.postings:
			totals[p.loan] = totals.get(p.loan, ZERO) + p.amount
		return [(loan, amount) for loan, amount in totals.items() if amount > ZERO]


def compare_amounts(
	realised: Decimal, expected: Decimal, tolerance: Decimal
) -> tuple[MatchStatus, Decimal, Decimal, Decimal]:
	"""Classify a realised amount against the expected one: ``(status, difference, post, refund)``, Rupiah.

	``difference = realised − expected``; MATCHED when ``|difference| <= tolerance`` (post the realised
	amount), SHORT below (post the realised amount), OVER above (post the expected amount, refund the rest).
	Raises :class:`InvalidMatch` for negative inputs. Source: seed 004 §7 (toleransi mismatch nominal).
	"""
	realised, expected, tolerance = to_decimal(realised), to_decimal(expected), to_decimal(tolerance)
	if realised < ZERO or expected < ZERO or tolerance < ZERO:
		raise InvalidMatch("Realised, expected and tolerance must not be negative.")
	difference = realised - expected
	if abs(difference) <= tolerance:
		return MatchStatus.MATCHED, difference, realised, ZERO
	if difference < ZERO:
		return MatchStatus.SHORT, difference, realised, ZERO
	return MatchStatus.OVER, difference, expected, difference


def split_postings(amount: Decimal, lines: list[BillLine]) -> list[Posting]:
	"""Spread ``amount`` Rupiah over ``lines`` in order, each up to what is open on it; the excess goes to
	the first line. Zero postings are left out. Does not modify ``lines``."""
	remaining, postings = to_decimal(amount), []
	for line in lines:
		part = min(remaining, line.open)
		if part > ZERO:
			postings.append(Posting(line.name, line.loan, part))
			remaining -= part
	if remaining > ZERO and lines:
		first = lines[0]
		if postings and postings[0].bill_line == first.name:
			postings[0] = Posting(first.name, first.loan, postings[0].amount + remaining)
		else:
			postings.insert(0, Posting(first.name, first.loan, remaining))
	return postings


@dataclass
class Matcher:
	"""Matches realisation lines of one period against the bills (module docstring for the rule).

	``bills``: member → their export lines of the period, oldest due first; ``by_pension_number`` /
	``by_nik``: normalised key (:func:`normalise_key`) → member; ``tolerance``: Rupiah.
	"""

	bills: Mapping[str, list[BillLine]]
	by_pension_number: Mapping[str, str]
	by_nik: Mapping[str, str]
	tolerance: Decimal = ZERO
	_by_reference: dict[str, tuple[str, BillLine]] = field(default_factory=dict, init=False, repr=False)

	def __post_init__(self) -> None:
		self.tolerance = to_decimal(self.tolerance)
		if self.tolerance < ZERO:
			raise InvalidMatch("The tolerance must not be negative.")
		for member, lines in self.bills.items():
			for line in lines:
				self._by_reference[normalise_key(line.name)] = (member, line)

	def resolve(self, pension_number: str, nik: str) -> tuple[str | None, UnmatchedReason | None, str]:
		"""The member of a line's keys: ``(member, None, "")`` or ``(None, reason, message)``."""
		by_pn = self.by_pension_number.get(normalise_key(pension_number)) if pension_number else None
		by_nik = self.by_nik.get(normalise_key(nik)) if nik else None
		if by_pn and by_nik and by_pn != by_nik:
			return (
				None,
				UnmatchedReason.CONFLICTING_KEYS,
				f"Pension number {pension_number} is member {by_pn} but NIK {nik} is member {by_nik}",
			)
		member = by_pn or by_nik
		if not member:
			keys = " / ".join(
				filter(None, (pension_number and f"pension number {pension_number}", nik and f"NIK {nik}"))
			)
			return None, UnmatchedReason.UNKNOWN_MEMBER, f"No member with {keys}"
		return member, None, ""

	def match(self, pension_number: str, nik: str, amount: Decimal, reference: str = "") -> MatchResult:
		"""Match one realisation line; updates the bill lines' ``realised`` with what it posts."""
		realised = to_decimal(amount)
		if realised < ZERO:
			raise InvalidMatch(f"Realised amount {realised} is negative.")
		member, reason, message = self.resolve(pension_number, nik)
		if member is None:
			return self._unmatched(None, realised, reason, message)
		if reference:
			owner, line = self._by_reference.get(normalise_key(reference), (None, None))
			if owner != member:
				return self._unmatched(
					member,
					realised,
					UnmatchedReason.UNKNOWN_REFERENCE,
					f"Reference {reference} is not an instruction of member {member} in this period",
				)
			lines = [line]
		else:
			lines = list(self.bills.get(member) or [])
			if not lines:
				return self._unmatched(
					member,
					realised,
					UnmatchedReason.NOT_BILLED,
					f"Member {member} was not billed for this period",
				)
		expected = sum((line.open for line in lines), ZERO)
		status, difference, post, refund = compare_amounts(realised, expected, self.tolerance)
		postings = tuple(split_postings(post, lines))
		by_name = {line.name: line for line in lines}
		for p in postings:
			by_name[p.bill_line].realised += p.amount
		return MatchResult(
			status=status,
			member=member,
			expected=expected,
			realised=realised,
			difference=difference,
			within_tolerance=abs(difference) <= self.tolerance,
			postings=postings,
			refund=refund,
			message="" if expected or not refund else "Already realised for this period",
		)

	def _unmatched(self, member, realised, reason, message) -> MatchResult:
		return MatchResult(
			status=MatchStatus.UNMATCHED,
			member=member,
			expected=ZERO,
			realised=realised,
			difference=realised,
			within_tolerance=False,
			reason=reason,
			message=message,
		)
