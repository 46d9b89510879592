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
(``Rp 1.234.567``, see :func:`~pinjaman_online.lending.money.format_rupiah`). Each reason is also given as
its template (``{name}`` placeholders, see :data:`REASONS`) and values, so the Frappe layer translates the
template (``locale/id.po``) and fills in the values in the user's language.
"""

from dataclasses import dataclass, field
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

_DSR_DETAIL = (
	"installment {installment} + other obligations {other} against a monthly pension benefit of {benefit}"
)
_COVERAGE_DETAIL = "{share}% of the monthly pension benefit of {benefit} over {tenor} months"
REASONS = {
	"DSR_NO_BENEFIT": (
		"DSR cannot be computed: the monthly pension benefit is {benefit}, it must be greater than zero "
		"(product limit {limit}%)."
	),
	"DSR_WITHIN": "DSR {dsr}% is within the product limit of {limit}% (" + _DSR_DETAIL + ").",
	"DSR_EXCEEDS": "DSR {dsr}% exceeds the product limit of {limit}% (" + _DSR_DETAIL + ").",
	"AGE_WITHIN": (
		"Age at maturity {age} years is within the product maximum of {limit} years "
		"(born {born}, loan matures {matures})."
	),
	"AGE_EXCEEDS": (
		"Age at maturity {age} years exceeds the product maximum of {limit} years "
		"(born {born}, loan matures {matures})."
	),
	"COVERAGE_WITHIN": (
		"Principal {principal} is within the pension benefit available over the tenor, {available} ("
		+ _COVERAGE_DETAIL
		+ ")."
	),
	"COVERAGE_EXCEEDS": (
		"Principal {principal} exceeds the pension benefit available over the tenor, {available} ("
		+ _COVERAGE_DETAIL
		+ ")."
	),
	"NO_DOUBLE_FINANCING": "Applicant has no active loan and no other open application.",
	"HAS_ACTIVE_LOAN": (
		"Applicant already has an active loan; a new loan requires no active loan and no other open "
		"application."
	),
	"HAS_OPEN_APPLICATION": (
		"Applicant already has another open application; a new loan requires no active loan and no other "
		"open application."
	),
	"HAS_BOTH": (
		"Applicant already has an active loan and another open application; a new loan requires no active "
		"loan and no other open application."
	),
}
"""English templates of the reasons (``str.format`` placeholders). Values: ``dsr``, ``limit`` (percent,
``Decimal`` without superfluous zeros, or completed years as ``int``), ``share`` (percent, ``Decimal``),
``age`` and ``tenor`` (``int``), ``born`` and ``matures`` (``date``), and amounts already written as
``Rp 1.234.567`` (``str``)."""
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


def _pct(value: Decimal) -> Decimal:
	"""Percentage without superfluous zeros: 40 -> 40, 40.50 -> 40.5 (never in exponent form, 4E+1)."""
	return Decimal(format(value.normalize(), "f"))


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
	the check passed: ``template`` (one of :data:`REASONS`) filled in with ``params``.
	Source: seed 004 §5 business rules.
	"""

	code: str
	passed: bool
	value: Decimal | int | None
	limit: Decimal | int | None
	reason: str
	template: str = ""
	params: dict = field(default_factory=dict)


def _result(code: str, passed: bool, value, limit, reason_key: str, /, **params) -> CheckResult:
	template = REASONS[reason_key]
	return CheckResult(
		code=code,
		passed=passed,
		value=value,
		limit=limit,
		reason=template.format(**params),
		template=template,
		params=params,
	)


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
	benefit = format_rupiah(inp.monthly_pension_benefit)
	if inp.monthly_pension_benefit <= ZERO:
		return _result(DSR, False, None, limit, "DSR_NO_BENEFIT", benefit=benefit, limit=_pct(limit))
	with localcontext() as ctx:
		ctx.prec = PRECISION
		value = (debt * HUNDRED / inp.monthly_pension_benefit).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
	passed = value <= limit
	return _result(
		DSR,
		passed,
		value,
		limit,
		"DSR_WITHIN" if passed else "DSR_EXCEEDS",
		dsr=value,
		limit=_pct(limit),
		installment=format_rupiah(inp.installment),
		other=format_rupiah(inp.other_monthly_obligations),
		benefit=benefit,
	)


def _check_age(inp: EligibilityInput) -> CheckResult:
	age = age_in_years(inp.birth_date, inp.maturity_date)
	limit = inp.max_age_at_maturity
	passed = age <= limit
	return _result(
		AGE_AT_MATURITY,
		passed,
		age,
		limit,
		"AGE_WITHIN" if passed else "AGE_EXCEEDS",
		age=age,
		limit=limit,
		born=inp.birth_date,
		matures=inp.maturity_date,
	)


def _check_coverage(inp: EligibilityInput) -> CheckResult:
	with localcontext() as ctx:
		ctx.prec = PRECISION
		raw = inp.max_benefit_share_pct / HUNDRED * inp.monthly_pension_benefit * Decimal(inp.tenor_months)
	limit = max(round_rupiah(raw), ZERO)
	passed = inp.principal <= limit
	return _result(
		BENEFIT_COVERAGE,
		passed,
		inp.principal,
		limit,
		"COVERAGE_WITHIN" if passed else "COVERAGE_EXCEEDS",
		principal=format_rupiah(inp.principal),
		available=format_rupiah(limit),
		share=_pct(inp.max_benefit_share_pct),
		benefit=format_rupiah(inp.monthly_pension_benefit),
		tenor=inp.tenor_months,
	)


def _check_double_financing(inp: EligibilityInput) -> CheckResult:
	if inp.has_active_loan and inp.has_open_application:
		key = "HAS_BOTH"
	elif inp.has_active_loan:
		key = "HAS_ACTIVE_LOAN"
	elif inp.has_open_application:
		key = "HAS_OPEN_APPLICATION"
	else:
		key = "NO_DOUBLE_FINANCING"
	conflicts = int(inp.has_active_loan) + int(inp.has_open_application)
	return _result(DOUBLE_FINANCING, not conflicts, conflicts, 0, key)


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
