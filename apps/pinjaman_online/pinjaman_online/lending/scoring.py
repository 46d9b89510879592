"""Credit scoring of an online-loan application with a data-driven scorecard, and the automatic decision.

Seeds 002 §6/§9 and 003 §7–8: a submitted application (event LoanApplied) is scored by the Credit Scoring
Service ("decision engine") from the user's data and checked by the Risk Engine against a third-party credit
bureau; the outcome is approve, reject or refer to a credit analyst.

The scorecard is data an admin edits (doctype Credit Scorecard), never code: for each *characteristic* (a
fact about the application, see :data:`CHARACTERISTICS`) a list of *bins* gives points; the score is the
base points plus one bin's points per characteristic; two *cut-offs* turn the score into a decision:

* score >= ``approve_from`` → Approve, score < ``reject_below`` → Reject, in between → Refer;
* hard rules first: a failed product pre-check, a bureau flag listed in ``reject_flags`` or a bureau
  ``max_dpd`` above ``max_bureau_dpd`` rejects; a bureau that could not be reached refers (an application is
  never approved without the bureau), unless the score or a hard rule already rejects it.

Numeric bins are half-open ``lower <= value < upper`` (``None`` = unbounded); category bins match the value
case-insensitively; a ``missing`` bin takes a value that is unknown (``None``) or that no other bin matches.
A characteristic whose value matches no bin and has no missing bin scores 0 and says so in its line.
"""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .dates import age_in_years
from .errors import LendingError
from .money import HUNDRED, PRECISION, ZERO, to_decimal

APPROVE = "Approve"
REFER = "Refer"
REJECT = "Reject"
DECISIONS = (APPROVE, REFER, REJECT)

NUMERIC = "Numeric"
CATEGORY = "Category"
CHARACTERISTICS: dict[str, tuple[str, str]] = {
	"AGE": (NUMERIC, "Age at application, completed years (from the member's birth date)"),
	"MONTHLY_INCOME": (NUMERIC, "Declared monthly income, Rupiah"),
	"OCCUPATION": (CATEGORY, "Declared occupation"),
	"INSTALLMENT_TO_INCOME": (NUMERIC, "Monthly installment / declared monthly income, percent"),
	"AMOUNT_TO_PRODUCT_MAX": (NUMERIC, "Requested principal / product maximum principal, percent"),
	"TENOR": (NUMERIC, "Tenor, months"),
	"BUREAU_SCORE": (NUMERIC, "Credit bureau score (missing when the bureau could not be reached)"),
	"CLOSED_LOANS": (NUMERIC, "Number of the member's loans already paid off (Closed)"),
}
"""The characteristics a scorecard may use: code → (kind, meaning and unit)."""

INVALID_SCORECARD = "INVALID_SCORECARD"
_TWO_PLACES = Decimal("0.01")


class InvalidScorecard(LendingError):
	"""A scorecard's bins or cut-offs are inconsistent (code ``INVALID_SCORECARD``)."""

	code = INVALID_SCORECARD


def _number(value) -> Decimal | None:
	if value is None or value == "":
		return None
	if isinstance(value, float):
		value = str(value)
	return to_decimal(value)


@dataclass(frozen=True)
class Bin:
	"""One bin of a characteristic: points for the values it matches.

	* numeric characteristic: ``lower`` (inclusive) / ``upper`` (exclusive), either may be ``None``;
	* category characteristic: ``category`` (compared case-insensitively, surrounding spaces ignored);
	* ``missing=True``: the bin for an unknown value (and for a value no other bin matches).

	``points`` is a whole number, negative allowed. Bounds accept int/str/Decimal (float via ``str``).
	"""

	characteristic: str
	points: int
	lower: Decimal | None = None
	upper: Decimal | None = None
	category: str | None = None
	missing: bool = False

	def __post_init__(self) -> None:
		object.__setattr__(self, "lower", _number(self.lower))
		object.__setattr__(self, "upper", _number(self.upper))
		object.__setattr__(self, "category", (self.category or "").strip() or None)
		object.__setattr__(self, "missing", bool(self.missing))
		if isinstance(self.points, bool) or not isinstance(self.points, int):
			raise InvalidScorecard(
				f"{self.characteristic}: points must be a whole number, got {self.points!r}."
			)

	@property
	def label(self) -> str:
		"""Human form of the bin: ``missing``, the category, or ``[lower, upper)``."""
		if self.missing:
			return "missing"
		if self.category is not None:
			return self.category
		low = "-inf" if self.lower is None else format(self.lower.normalize(), "f")
		high = "+inf" if self.upper is None else format(self.upper.normalize(), "f")
		return f"[{low}, {high})"

	def matches(self, value) -> bool:
		if self.missing or value is None:
			return False
		if self.category is not None:
			return str(value).strip().casefold() == self.category.casefold()
		try:
			number = _number(value)
		except (TypeError, ValueError):
			return False
		return (self.lower is None or number >= self.lower) and (self.upper is None or number < self.upper)


@dataclass(frozen=True)
class Scorecard:
	"""A scorecard: base points, bins per characteristic, cut-offs and the bureau's hard rules.

	* ``bins``: every :class:`Bin`; the characteristics scored are those with bins, in
	  :data:`CHARACTERISTICS` order;
	* ``approve_from`` / ``reject_below``: cut-offs (points), ``reject_below <= approve_from``;
	* ``max_bureau_dpd``: the largest days-past-due the bureau may report (``None``: no limit);
	* ``reject_flags``: bureau flags that reject outright (compared upper-case).

	Raises :class:`InvalidScorecard` for an unknown characteristic, a numeric bin with ``lower >= upper``,
	overlapping numeric bins, a category bin on a numeric characteristic (or the reverse), two missing bins
	or two bins for the same category, and cut-offs the wrong way round. Source: seed 003 §7.
	"""

	bins: tuple[Bin, ...]
	approve_from: int
	reject_below: int
	base_points: int = 0
	max_bureau_dpd: int | None = None
	reject_flags: frozenset[str] = field(default_factory=frozenset)

	def __post_init__(self) -> None:
		object.__setattr__(self, "bins", tuple(self.bins))
		object.__setattr__(
			self, "reject_flags", frozenset(f.strip().upper() for f in self.reject_flags if f.strip())
		)
		if self.reject_below > self.approve_from:
			raise InvalidScorecard(
				f"The reject cut-off ({self.reject_below}) is above the approve cut-off ({self.approve_from})."
			)
		if not self.bins:
			raise InvalidScorecard("A scorecard needs at least one bin.")
		for code in {b.characteristic for b in self.bins}:
			self._check_characteristic(code, [b for b in self.bins if b.characteristic == code])

	@staticmethod
	def _check_characteristic(code: str, bins: list[Bin]) -> None:
		if code not in CHARACTERISTICS:
			raise InvalidScorecard(f"Unknown characteristic {code!r}; known: {', '.join(CHARACTERISTICS)}.")
		kind = CHARACTERISTICS[code][0]
		if sum(b.missing for b in bins) > 1:
			raise InvalidScorecard(f"{code}: more than one bin for a missing value.")
		valued = [b for b in bins if not b.missing]
		if kind == CATEGORY:
			if any(b.category is None for b in valued):
				raise InvalidScorecard(f"{code}: every bin needs a category.")
			names = [b.category.casefold() for b in valued]
			duplicates = sorted({n for n in names if names.count(n) > 1})
			if duplicates:
				raise InvalidScorecard(f"{code}: category {duplicates[0]!r} has more than one bin.")
			return
		if any(b.category is not None for b in valued):
			raise InvalidScorecard(f"{code} is numeric: use lower/upper bounds, not a category.")
		for b in valued:
			if b.lower is not None and b.upper is not None and b.lower >= b.upper:
				raise InvalidScorecard(
					f"{code}: bin {b.label} has its lower bound not below its upper bound."
				)
		ordered = sorted(valued, key=lambda b: (b.lower is not None, b.lower or ZERO))
		for first, second in itertools.pairwise(ordered):
			if first.upper is None or (second.lower is None) or second.lower < first.upper:
				raise InvalidScorecard(f"{code}: bins {first.label} and {second.label} overlap.")

	@property
	def characteristics(self) -> tuple[str, ...]:
		"""The scored characteristics, in :data:`CHARACTERISTICS` order."""
		used = {b.characteristic for b in self.bins}
		return tuple(code for code in CHARACTERISTICS if code in used)


@dataclass(frozen=True)
class ScoreLine:
	"""One characteristic's contribution: its value (``None`` = unknown), the bin taken and its points."""

	characteristic: str
	value: object
	bin: str
	points: int


@dataclass(frozen=True)
class Score:
	"""Total points (base + lines) and one line per scored characteristic."""

	total: int
	base_points: int
	lines: tuple[ScoreLine, ...]


def score(card: Scorecard, facts: Mapping[str, object]) -> Score:
	"""Score ``facts`` (characteristic code → value, ``None``/absent = unknown) with ``card``.

	Numbers may be int/str/Decimal; categories strings. Returns a :class:`Score`. Never raises for values:
	a value no bin takes falls to the missing bin, else scores 0 with bin ``"no bin"``.
	"""
	lines = []
	for code in card.characteristics:
		value = facts.get(code)
		bins = [b for b in card.bins if b.characteristic == code]
		taken = next((b for b in bins if b.matches(value)), None)
		if taken is None:
			taken = next((b for b in bins if b.missing), None)
		lines.append(ScoreLine(code, value, taken.label if taken else "no bin", taken.points if taken else 0))
	total = card.base_points + sum(line.points for line in lines)
	return Score(total=total, base_points=card.base_points, lines=tuple(lines))


@dataclass(frozen=True)
class BureauReport:
	"""What the credit bureau said: ``available`` False when it could not be reached or answered badly.

	``score`` bureau score (``None`` if unknown), ``max_dpd`` largest days past due it reports,
	``flags`` its adverse flags (e.g. ``FRAUD``, ``BLACKLIST``, ``WRITE_OFF``), upper-cased.
	"""

	available: bool
	score: int | None = None
	max_dpd: int | None = None
	flags: frozenset[str] = field(default_factory=frozenset)

	def __post_init__(self) -> None:
		object.__setattr__(
			self, "flags", frozenset(str(f).strip().upper() for f in self.flags if str(f).strip())
		)


@dataclass(frozen=True)
class Decision:
	"""The engine's outcome (``Approve`` / ``Refer`` / ``Reject``) and its reasons (English sentences)."""

	outcome: str
	reasons: tuple[str, ...]

	@property
	def reason(self) -> str:
		return " ".join(self.reasons)


def decide(
	card: Scorecard, result: Score, bureau: BureauReport, failed_checks: tuple[str, ...] = ()
) -> Decision:
	"""Decide an application from its score, the bureau report and the product pre-check.

	``failed_checks``: reasons of failed product pre-check rules (any rejects). Order of rules: pre-check,
	bureau flags, bureau DPD, score below ``reject_below`` (all reject); bureau unavailable (refer); score
	>= ``approve_from`` (approve); otherwise refer. Source: seed 003 §7 (decision engine), §8 (risk engine).
	"""
	rejects = [f"Product pre-check failed: {reason}" for reason in failed_checks]
	if bureau.available:
		adverse = sorted(bureau.flags & card.reject_flags)
		if adverse:
			rejects.append(f"The credit bureau reports {', '.join(adverse)}.")
		if (
			card.max_bureau_dpd is not None
			and bureau.max_dpd is not None
			and bureau.max_dpd > card.max_bureau_dpd
		):
			rejects.append(
				f"The credit bureau reports {bureau.max_dpd} days past due, above the limit of "
				f"{card.max_bureau_dpd}."
			)
	if result.total < card.reject_below:
		rejects.append(f"Credit score {result.total} is below the reject cut-off of {card.reject_below}.")
	if rejects:
		return Decision(REJECT, tuple(rejects))
	if not bureau.available:
		return Decision(
			REFER,
			(
				f"Credit score {result.total}; the credit bureau could not be reached: referred to an analyst.",
			),
		)
	if result.total >= card.approve_from:
		return Decision(
			APPROVE, (f"Credit score {result.total} reaches the approve cut-off of {card.approve_from}.",)
		)
	return Decision(
		REFER,
		(
			(
				f"Credit score {result.total} is between the reject cut-off of {card.reject_below} and the "
				f"approve cut-off of {card.approve_from}: referred to an analyst."
			),
		),
	)


GRADES = ("A", "B", "C", "D", "E")
"""Risk grades, best first (see :func:`grade`)."""


def grade(card: Scorecard, total: int, outcome: str) -> str:
	"""The risk grade (``A`` best … ``E``) of an application scored ``total`` points and decided ``outcome``.

	With ``band = max(approve_from - reject_below, 1)`` (the refer band's width, points): ``E`` when the
	outcome is Reject (a score below ``reject_below`` or a hard rule); else ``A`` from ``approve_from + band``,
	``B`` from ``approve_from``, ``C`` from the middle of the refer band (``reject_below + band / 2``),
	``D`` below it. The grade speaks of the score alone: an application the bureau could not check may be
	graded ``A`` and still be referred. Source: the scorecard's cut-offs (seed 003 §7); the bands are this
	app's rule, so that a grade moves with the cut-offs an admin sets."""
	if outcome == REJECT:
		return "E"
	band = max(card.approve_from - card.reject_below, 1)
	if total >= card.approve_from + band:
		return "A"
	if total >= card.approve_from:
		return "B"
	if 2 * (total - card.reject_below) >= band:
		return "C"
	return "D"


def percent(part, whole) -> Decimal | None:
	"""``part / whole * 100`` rounded half up to 2 decimals; ``None`` when ``whole`` is unknown or <= 0."""
	part, whole = _number(part), _number(whole)
	if part is None or whole is None or whole <= ZERO:
		return None
	with localcontext() as ctx:
		ctx.prec = PRECISION
		return (part * HUNDRED / whole).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def application_facts(
	*,
	birth_date: date | None,
	on: date,
	principal,
	product_max_principal,
	tenor_months: int,
	installment,
	monthly_income=None,
	occupation: str | None = None,
	bureau_score: int | None = None,
	closed_loans: int = 0,
) -> dict[str, object]:
	"""The facts of one application, keyed by characteristic code (money in Rupiah, ratios in percent).

	``on`` is the application date (age is counted in completed years on it). Unknown inputs give ``None``.
	"""
	income = _number(monthly_income)
	return {
		"AGE": age_in_years(birth_date, on) if birth_date else None,
		"MONTHLY_INCOME": income if income and income > ZERO else None,
		"OCCUPATION": (occupation or "").strip() or None,
		"INSTALLMENT_TO_INCOME": percent(installment, income),
		"AMOUNT_TO_PRODUCT_MAX": percent(principal, product_max_principal),
		"TENOR": int(tenor_months),
		"BUREAU_SCORE": bureau_score,
		"CLOSED_LOANS": int(closed_loans or 0),
	}
