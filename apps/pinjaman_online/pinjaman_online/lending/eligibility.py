"""Eligibility pre-check of a pension-loan application.

Implements the business rules of seed 004 §5 (Loan Product & Pricing) used by the §3 application
pre-check. Four checks, always all evaluated so the officer sees every problem at once:

* ``DSR``: debt service ratio, ``(installment + other monthly obligations) / monthly pension benefit x 100``
  rounded half up to 2 decimals, must be <= the product's DSR limit;
* ``AGE_AT_MATURITY``: completed years of age on the maturity date, must be <= the product maximum;
* ``BENEFIT_COVERAGE``: principal must be <= ``max_benefit_share_pct`` % of the monthly pension benefit
  times the tenor (the pension the borrower will receive while the loan runs, rounded to whole Rupiah);
* ``DOUBLE_FINANCING``: no active loan and no other open application (seed 004 §5 business rules).

Reasons are English sentences naming the value and the limit; amounts are written Indonesian style
(``Rp 1.234.567``, see :func:`~pinjaman_online.lending.money.format_rupiah`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .dates import age_in_years
from .errors import LendingError
from .money import HUNDRED, PRECISION, ZERO, format_rupiah, round_rupiah, to_decimal

DSR = "DSR"
AGE_AT_MATURITY = "AGE_AT_MATURITY"
BENEFIT_COVERAGE = "BENEFIT_COVERAGE"
DOUBLE_FINANCING = "DOUBLE_FINANCING"
CHECK_CODES = (DSR, AGE_AT_MATURITY, BENEFIT_COVERAGE, DOUBLE_FINANCING)
"""Codes of the checks, in the order they appear in :class:`EligibilityResult`."""

INVALID_INPUT = "INVALID_ELIGIBILITY_INPUT"
_TWO_PLACES = Decimal("0.01")


def _invalid(message: str) -> LendingError:
	return LendingError(message, code=INVALID_INPUT)


def _number(name: str, value: object) -> Decimal:
	try:
		return to_decimal(value)  # type: ignore[arg-type]
	except ValueError as exc:
		raise _invalid(f"{name} is not a valid number: {exc}") from None


def _whole(name: str, value: object, minimum: int) -> int:
	if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
		raise _invalid(f"{name} must be a whole number >= {minimum}, got {value!r}.")
	return value


def _pct(value: Decimal) -> str:
	"""Percentage without superfluous zeros: 40 -> "40", 40.50 -> "40.5"."""
	return format(value.normalize(), "f")


@dataclass(frozen=True)
class EligibilityInput:
	"""Facts about one application and the product limits it is checked against.

	* ``principal``: requested plafon, Rupiah, > 0;
	* ``tenor_months``: months, >= 1;
	* ``installment``: regular monthly installment of the requested loan, Rupiah, >= 0;
	* ``monthly_pension_benefit``: net monthly pension (manfaat pensiun), Rupiah (<= 0 fails DSR/coverage);
	* ``other_monthly_obligations``: other monthly debt service, Rupiah, >= 0;
	* ``birth_date`` / ``maturity_date``: applicant's birth date and the loan's last due date;
	* ``dsr_limit_pct``: product DSR limit, percent (0..100];
	* ``max_age_at_maturity``: product maximum age at maturity, completed years;
	* ``max_benefit_share_pct``: share of the pension benefit that may back the loan, percent (0..100];
	* ``has_active_loan`` / ``has_open_application``: from the member's records (double financing).

	Money and percentages accept ``int``/``str``/``Decimal`` and are normalised to ``Decimal``
	(``TypeError`` for float). Raises :class:`~pinjaman_online.lending.errors.LendingError` with code
	``INVALID_ELIGIBILITY_INPUT`` for values that make the checks meaningless (e.g. maturity before birth).
	Source: seed 004 §5 business rules, §3 pre-check.
	"""

	principal: Decimal
	tenor_months: int
	installment: Decimal
	monthly_pension_benefit: Decimal
	other_monthly_obligations: Decimal
	birth_date: date
	maturity_date: date
	dsr_limit_pct: Decimal
	max_age_at_maturity: int
	max_benefit_share_pct: Decimal = Decimal(95)
	has_active_loan: bool = False
	has_open_application: bool = False

	def __post_init__(self) -> None:
		principal = _number("Principal", self.principal)
		if principal <= ZERO:
			raise _invalid(f"Principal must be greater than zero, got {principal}.")
		tenor = _whole("Tenor (months)", self.tenor_months, 1)
		installment = _number("Installment", self.installment)
		if installment < ZERO:
			raise _invalid(f"Installment must not be negative, got {installment}.")
		benefit = _number("Monthly pension benefit", self.monthly_pension_benefit)
		other = _number("Other monthly obligations", self.other_monthly_obligations)
		if other < ZERO:
			raise _invalid(f"Other monthly obligations must not be negative, got {other}.")
		if not isinstance(self.birth_date, date) or not isinstance(self.maturity_date, date):
			raise _invalid("Birth date and maturity date must be dates.")
		if self.maturity_date < self.birth_date:
			raise _invalid(
				f"Maturity date {self.maturity_date.isoformat()} is before the birth date "
				f"{self.birth_date.isoformat()}."
			)
		dsr_limit = _number("DSR limit", self.dsr_limit_pct)
		if not ZERO < dsr_limit <= HUNDRED:
			raise _invalid(f"DSR limit must be above 0% and at most 100%, got {dsr_limit}%.")
		max_age = _whole("Maximum age at maturity", self.max_age_at_maturity, 1)
		share = _number("Maximum benefit share", self.max_benefit_share_pct)
		if not ZERO < share <= HUNDRED:
			raise _invalid(f"Maximum benefit share must be above 0% and at most 100%, got {share}%.")
		for name, value in (
			("principal", principal),
			("tenor_months", tenor),
			("installment", installment),
			("monthly_pension_benefit", benefit),
			("other_monthly_obligations", other),
			("dsr_limit_pct", dsr_limit),
			("max_age_at_maturity", max_age),
			("max_benefit_share_pct", share),
			("has_active_loan", bool(self.has_active_loan)),
			("has_open_application", bool(self.has_open_application)),
		):
			object.__setattr__(self, name, value)


@dataclass(frozen=True)
class CheckResult:
	"""Outcome of one eligibility check.

	``code`` is one of ``"DSR"``, ``"AGE_AT_MATURITY"``, ``"BENEFIT_COVERAGE"``, ``"DOUBLE_FINANCING"``;
	``value`` and ``limit`` are what was compared (percent for DSR, completed years for age, Rupiah for
	coverage, number of conflicting loans/applications against 0 for double financing; ``value`` is
	``None`` when it cannot be computed); ``reason`` is a person-readable English sentence, also when
	the check passed. Source: seed 004 §5 business rules.
	"""

	code: str
	passed: bool
	value: Decimal | int | None
	limit: Decimal | int | None
	reason: str


@dataclass(frozen=True)
class EligibilityResult:
	"""All check results, in the order of :data:`CHECK_CODES` (seed 004 §3 pre-check)."""

	checks: tuple[CheckResult, ...]

	@property
	def passed(self) -> bool:
		"""True if every check passed."""
		return all(check.passed for check in self.checks)

	@property
	def failures(self) -> tuple[CheckResult, ...]:
		"""The checks that failed, in order (empty when eligible)."""
		return tuple(check for check in self.checks if not check.passed)

	def check(self, code: str) -> CheckResult:
		"""Return the result with ``code``; raises ``KeyError`` if there is none."""
		for result in self.checks:
			if result.code == code:
				return result
		raise KeyError(code)


def _check_dsr(inp: EligibilityInput) -> CheckResult:
	limit = inp.dsr_limit_pct
	debt = inp.installment + inp.other_monthly_obligations
	detail = (
		f"installment {format_rupiah(inp.installment)} + other obligations "
		f"{format_rupiah(inp.other_monthly_obligations)} against a monthly pension benefit of "
		f"{format_rupiah(inp.monthly_pension_benefit)}"
	)
	if inp.monthly_pension_benefit <= ZERO:
		return CheckResult(
			code=DSR,
			passed=False,
			value=None,
			limit=limit,
			reason=(
				f"DSR cannot be computed: the monthly pension benefit is "
				f"{format_rupiah(inp.monthly_pension_benefit)}, it must be greater than zero "
				f"(product limit {_pct(limit)}%)."
			),
		)
	with localcontext() as ctx:
		ctx.prec = PRECISION
		value = (debt * HUNDRED / inp.monthly_pension_benefit).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
	if value <= limit:
		reason = f"DSR {value}% is within the product limit of {_pct(limit)}% ({detail})."
	else:
		reason = f"DSR {value}% exceeds the product limit of {_pct(limit)}% ({detail})."
	return CheckResult(code=DSR, passed=value <= limit, value=value, limit=limit, reason=reason)


def _check_age(inp: EligibilityInput) -> CheckResult:
	age = age_in_years(inp.birth_date, inp.maturity_date)
	limit = inp.max_age_at_maturity
	detail = f"born {inp.birth_date.isoformat()}, loan matures {inp.maturity_date.isoformat()}"
	if age <= limit:
		reason = f"Age at maturity {age} years is within the product maximum of {limit} years ({detail})."
	else:
		reason = f"Age at maturity {age} years exceeds the product maximum of {limit} years ({detail})."
	return CheckResult(code=AGE_AT_MATURITY, passed=age <= limit, value=age, limit=limit, reason=reason)


def _check_coverage(inp: EligibilityInput) -> CheckResult:
	with localcontext() as ctx:
		ctx.prec = PRECISION
		raw = inp.max_benefit_share_pct / HUNDRED * inp.monthly_pension_benefit * Decimal(inp.tenor_months)
	limit = max(round_rupiah(raw), ZERO)
	detail = (
		f"{_pct(inp.max_benefit_share_pct)}% of the monthly pension benefit of "
		f"{format_rupiah(inp.monthly_pension_benefit)} over {inp.tenor_months} months"
	)
	passed = inp.principal <= limit
	verb = "is within" if passed else "exceeds"
	reason = (
		f"Principal {format_rupiah(inp.principal)} {verb} the pension benefit available over the tenor, "
		f"{format_rupiah(limit)} ({detail})."
	)
	return CheckResult(code=BENEFIT_COVERAGE, passed=passed, value=inp.principal, limit=limit, reason=reason)


def _check_double_financing(inp: EligibilityInput) -> CheckResult:
	conflicts = []
	if inp.has_active_loan:
		conflicts.append("an active loan")
	if inp.has_open_application:
		conflicts.append("another open application")
	if conflicts:
		reason = (
			f"Applicant already has {' and '.join(conflicts)}; a new loan requires no active loan and no "
			f"other open application."
		)
	else:
		reason = "Applicant has no active loan and no other open application."
	return CheckResult(
		code=DOUBLE_FINANCING, passed=not conflicts, value=len(conflicts), limit=0, reason=reason
	)


def check_eligibility(inp: EligibilityInput) -> EligibilityResult:
	"""Evaluate all four checks on ``inp`` and return them (never stops at the first failure).

	Returns an :class:`EligibilityResult` with one :class:`CheckResult` per code in :data:`CHECK_CODES`
	order. A monthly pension benefit <= 0 fails ``DSR`` (value ``None``) and ``BENEFIT_COVERAGE``
	(limit 0). Raises nothing beyond ``EligibilityInput`` validation.
	Source: seed 004 §5 business rules and §3 pre-check.
	"""
	return EligibilityResult(
		checks=(
			_check_dsr(inp),
			_check_age(inp),
			_check_coverage(inp),
			_check_double_financing(inp),
		)
	)
