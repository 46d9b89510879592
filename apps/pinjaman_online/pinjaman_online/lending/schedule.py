"""Repayment schedules (jadwal angsuran) for monthly installment loans.

Structure follows Apache Fineract's loan schedule generator, reduced to what a pension-loan cooperative
needs:

* due dates come from one generator (:func:`~pinjaman_online.lending.dates.monthly_due_dates`);
* each interest method is one strategy class (:class:`FlatStrategy`, :class:`AnnuityStrategy`) looked up
  in the :data:`STRATEGIES` registry (:func:`get_strategy`); a strategy only answers "what is the
  regular installment" and "what is the interest of one period on this balance";
* :func:`generate_schedule` runs the single amortisation loop shared by all methods;
* all rounding goes through :mod:`~pinjaman_online.lending.money` (interest to whole Rupiah half up,
  installments to the product rounding unit half up, last installment absorbs the residue).

Day count: 30/360, i.e. every month is one twelfth of a year whatever its length, so the monthly rate is
``r = annual_rate_pct / 12 / 100``. Source: seed 004 §5 Loan Product & Pricing.

Guard against rounding overshoot/undershoot: a coarse rounding unit can make the rounded installment
larger than needed (the balance would reach zero before the last period) or smaller than the period's
interest (the balance would grow). The principal part of every non-final period is therefore clamped to
``0 <= principal part <= remaining balance``; the final period takes whatever balance is left. As a
result no principal part is negative, every ``balance_after`` is >= 0 and the principal parts sum
exactly to the principal, at the price of irregular totals in such degenerate configurations.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, localcontext

from .choices import Choice
from .dates import monthly_due_dates
from .errors import InvalidTerms
from .money import HUNDRED, ONE, PRECISION, ZERO, round_rupiah, round_to_unit, to_decimal

MONTHS_PER_YEAR = Decimal(12)
MIN_TENOR_MONTHS = 1
MAX_TENOR_MONTHS = 600
MAX_ANNUAL_RATE_PCT = Decimal(100)
CENT = Decimal("0.01")
MAX_DIGITS = 20  # amounts are kept far below the 34 significant digits of the working precision


class InterestMethod(Choice):
	"""Interest calculation method of a loan product (seed 004 §5 Loan Product & Pricing).

	``FLAT`` ("Flat", bunga flat): interest every month on the original principal.
	``ANNUITY`` ("Annuity", bunga anuitas / efektif): equal installments, interest on the declining balance.
	"""

	FLAT = "Flat"
	ANNUITY = "Annuity"

	@classmethod
	def label(cls) -> str:
		return "interest method"


def _decimal_field(name: str, value: object) -> Decimal:
	try:
		return to_decimal(value)  # type: ignore[arg-type]
	except ValueError as exc:
		raise InvalidTerms(f"{name} is not a valid number: {exc}") from None


@dataclass(frozen=True)
class LoanTerms:
	"""The terms a schedule is generated from (seed 004 §5 Loan Product & Pricing).

	Fields:

	* ``principal``: plafon / pokok pinjaman in Rupiah, > 0, at most 2 decimals (normally whole Rupiah),
	  below 10^20;
	* ``annual_rate_pct``: nominal interest rate in percent per year, 0..100 (``12`` means 12 % p.a.);
	* ``tenor_months``: number of monthly installments, 1..600;
	* ``interest_method``: :class:`InterestMethod` or its string value (``"Flat"``/``"Annuity"``,
	  case-insensitive), normalised to the enum;
	* ``first_due_date``: due date of installment 1 (later ones follow monthly, see ``dates.py``);
	* ``rounding_unit``: installments are rounded half up to a multiple of this many Rupiah (whole, >= 1,
	  below 10^20).

	Numbers may be given as ``int``, ``str`` or ``Decimal`` and are normalised to ``Decimal``.
	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` with a human message for values out of
	range, and ``TypeError`` for ``float`` amounts.
	"""

	principal: Decimal
	annual_rate_pct: Decimal
	tenor_months: int
	interest_method: InterestMethod | str
	first_due_date: date
	rounding_unit: Decimal = ONE

	def __post_init__(self) -> None:
		principal = _decimal_field("Principal", self.principal)
		if principal <= ZERO:
			raise InvalidTerms(f"Principal must be greater than zero, got {principal}.")
		if principal.adjusted() >= MAX_DIGITS:
			raise InvalidTerms(f"Principal is too large, got {principal}.")
		with localcontext() as ctx:
			ctx.prec = PRECISION
			if principal != principal.quantize(CENT):
				raise InvalidTerms(f"Principal may have at most 2 decimals, got {principal}.")
			principal = (
				principal.quantize(ONE)
				if principal == principal.to_integral_value()
				else principal.quantize(CENT)
			)

		rate = _decimal_field("Annual interest rate", self.annual_rate_pct)
		if not ZERO <= rate <= MAX_ANNUAL_RATE_PCT:
			raise InvalidTerms(f"Annual interest rate must be between 0% and 100% per year, got {rate}%.")

		tenor = self.tenor_months
		if isinstance(tenor, bool) or not isinstance(tenor, int):
			raise InvalidTerms(f"Tenor must be a whole number of months, got {tenor!r}.")
		if not MIN_TENOR_MONTHS <= tenor <= MAX_TENOR_MONTHS:
			raise InvalidTerms(
				f"Tenor must be between {MIN_TENOR_MONTHS} and {MAX_TENOR_MONTHS} months, got {tenor}."
			)

		method = InterestMethod.parse(self.interest_method)

		first_due = self.first_due_date
		if isinstance(first_due, datetime):
			first_due = first_due.date()
		if not isinstance(first_due, date):
			raise InvalidTerms(f"First due date must be a date, got {first_due!r}.")

		unit = _decimal_field("Rounding unit", self.rounding_unit)
		if unit < ONE or unit.adjusted() >= MAX_DIGITS or unit != unit.to_integral_value():
			raise InvalidTerms(f"Rounding unit must be a whole number of Rupiah of at least 1, got {unit}.")

		object.__setattr__(self, "principal", principal)
		object.__setattr__(self, "annual_rate_pct", rate)
		object.__setattr__(self, "interest_method", method)
		object.__setattr__(self, "first_due_date", first_due)
		object.__setattr__(self, "rounding_unit", unit.quantize(ONE))

	@property
	def monthly_rate(self) -> Decimal:
		"""Monthly rate as a fraction, ``annual_rate_pct / 12 / 100`` (30/360), 34 significant digits."""
		with localcontext() as ctx:
			ctx.prec = PRECISION
			return self.annual_rate_pct / MONTHS_PER_YEAR / HUNDRED


@dataclass(frozen=True)
class Installment:
	"""One row of a schedule (seed 004 §5): amounts in Rupiah, ``number`` counts from 1.

	``total == principal + interest``; ``balance_after`` is the principal still outstanding after this
	installment is paid (0 after the last one).
	"""

	number: int
	due_date: date
	principal: Decimal
	interest: Decimal
	total: Decimal
	balance_after: Decimal

	def as_dict(self) -> dict:
		"""Return the row as JSON-ready ``dict``: Decimals as strings, ``due_date`` as ISO ``YYYY-MM-DD``."""
		return {
			"number": self.number,
			"due_date": self.due_date.isoformat(),
			"principal": str(self.principal),
			"interest": str(self.interest),
			"total": str(self.total),
			"balance_after": str(self.balance_after),
		}


@dataclass(frozen=True)
class Schedule:
	"""A generated repayment schedule: the terms and one :class:`Installment` per month, in order.

	Source: seed 004 §5 Loan Product & Pricing (simulation and disbursement schedule).
	"""

	terms: LoanTerms
	installments: tuple[Installment, ...]

	@property
	def total_principal(self) -> Decimal:
		"""Sum of principal parts in Rupiah; equals ``terms.principal`` exactly."""
		return sum((i.principal for i in self.installments), ZERO)

	@property
	def total_interest(self) -> Decimal:
		"""Sum of interest parts in Rupiah."""
		return sum((i.interest for i in self.installments), ZERO)

	@property
	def total_payable(self) -> Decimal:
		"""Sum of all installment totals in Rupiah (principal + interest)."""
		return sum((i.total for i in self.installments), ZERO)

	@property
	def regular_installment(self) -> Decimal:
		"""The first installment's total in Rupiah (the amount quoted to the borrower as the angsuran)."""
		return self.installments[0].total

	@property
	def maturity_date(self) -> date:
		"""Due date of the last installment (tanggal jatuh tempo akhir)."""
		return self.installments[-1].due_date


class InterestStrategy:
	"""One interest method (Fineract-style strategy). Subclasses implement two questions.

	* :meth:`regular_installment` -> Rupiah, already rounded to ``terms.rounding_unit``;
	* :meth:`period_interest` -> interest of one month on ``balance`` Rupiah, rounded to whole Rupiah.

	Source: seed 004 §5 Loan Product & Pricing.
	"""

	method: InterestMethod

	def regular_installment(self, terms: LoanTerms) -> Decimal:
		"""Return the regular monthly installment (Rupiah, rounded to the product unit)."""
		raise NotImplementedError

	def period_interest(self, terms: LoanTerms, balance: Decimal) -> Decimal:
		"""Return one month's interest (whole Rupiah) when ``balance`` Rupiah is outstanding."""
		raise NotImplementedError


def _monthly_interest_on(amount: Decimal, annual_rate_pct: Decimal) -> Decimal:
	# amount * rate / 1200 in that order: the product is exact, so true halves stay exact halves and
	# round half up as the rule says (dividing first would turn 0.5 into 0.4999... for some rates).
	with localcontext() as ctx:
		ctx.prec = PRECISION
		return round_rupiah(amount * annual_rate_pct / (MONTHS_PER_YEAR * HUNDRED))


class FlatStrategy(InterestStrategy):
	"""Flat interest (bunga flat): every month ``round_rupiah(principal x rate / 12 / 100)``.

	Regular installment = ``round_to_unit(principal / tenor + monthly interest, unit)``; the principal part
	is installment - interest, the last installment takes the remaining balance.
	Source: seed 004 §5 Loan Product & Pricing (Flat).
	"""

	method = InterestMethod.FLAT

	def period_interest(self, terms: LoanTerms, balance: Decimal) -> Decimal:
		"""Interest on the original principal, independent of ``balance`` (whole Rupiah)."""
		return _monthly_interest_on(terms.principal, terms.annual_rate_pct)

	def regular_installment(self, terms: LoanTerms) -> Decimal:
		"""``round_to_unit(principal / tenor + monthly interest, unit)`` in Rupiah."""
		with localcontext() as ctx:
			ctx.prec = PRECISION
			raw = terms.principal / Decimal(terms.tenor_months) + self.period_interest(terms, terms.principal)
		return round_to_unit(raw, terms.rounding_unit)


class AnnuityStrategy(InterestStrategy):
	"""Annuity on the declining balance (bunga anuitas / efektif).

	Regular installment = ``round_to_unit(P*r / (1 - (1+r)^-n), unit)`` with ``r`` the monthly rate
	(``P / n`` when ``r == 0``), computed with 34 significant digits; each month's interest is
	``round_rupiah(balance x r)``. Source: seed 004 §5 Loan Product & Pricing (Annuity).
	"""

	method = InterestMethod.ANNUITY

	def period_interest(self, terms: LoanTerms, balance: Decimal) -> Decimal:
		"""``round_rupiah(balance x annual_rate_pct / 12 / 100)``."""
		return _monthly_interest_on(balance, terms.annual_rate_pct)

	def regular_installment(self, terms: LoanTerms) -> Decimal:
		"""Closed-form annuity payment rounded half up to the product unit, in Rupiah."""
		principal = terms.principal
		n = terms.tenor_months
		with localcontext() as ctx:
			ctx.prec = PRECISION
			r = terms.monthly_rate
			if r == ZERO:
				raw = principal / Decimal(n)
			else:
				raw = principal * r / (ONE - (ONE + r) ** -n)
		return round_to_unit(raw, terms.rounding_unit)


STRATEGIES: dict[InterestMethod, InterestStrategy] = {
	InterestMethod.FLAT: FlatStrategy(),
	InterestMethod.ANNUITY: AnnuityStrategy(),
}
"""Registry of interest strategies by method; add a method by adding a strategy here."""


def get_strategy(method: InterestMethod | str) -> InterestStrategy:
	"""Return the registered :class:`InterestStrategy` for ``method`` (enum member or string).

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` for an unknown method or one with no
	registered strategy. Source: seed 004 §5 Loan Product & Pricing (interest methods of a product).
	"""
	member = InterestMethod.parse(method)
	try:
		return STRATEGIES[member]
	except KeyError:
		raise InvalidTerms(f"No schedule strategy registered for interest method {member.value!r}.") from None


def generate_schedule(terms: LoanTerms) -> Schedule:
	"""Generate the monthly repayment schedule for ``terms``.

	Returns a :class:`Schedule` with exactly ``terms.tenor_months`` installments due monthly from
	``terms.first_due_date``. For every non-final row: interest from the method's strategy, principal part
	``= installment - interest`` clamped to ``[0, remaining balance]`` (see the module docstring), total
	``= principal part + interest``. The final row's principal part is the remaining balance, so the
	principal parts sum exactly to ``terms.principal`` and the last ``balance_after`` is 0. When the
	principal is whole Rupiah every amount is whole Rupiah.

	Raises :class:`~pinjaman_online.lending.errors.InvalidTerms` only through ``terms`` validation or an
	unregistered method. Source: seed 004 §5 Loan Product & Pricing; amortisation as in Apache Fineract.
	"""
	strategy = get_strategy(terms.interest_method)
	installment_amount = strategy.regular_installment(terms)
	due_dates = monthly_due_dates(terms.first_due_date, terms.tenor_months)
	last = len(due_dates)
	balance = terms.principal
	rows: list[Installment] = []
	for number, due_date in enumerate(due_dates, start=1):
		interest = strategy.period_interest(terms, balance)
		if number == last:
			principal_part = balance
		else:
			principal_part = min(max(installment_amount - interest, ZERO), balance)
		balance = balance - principal_part
		rows.append(
			Installment(
				number=number,
				due_date=due_date,
				principal=principal_part,
				interest=interest,
				total=principal_part + interest,
				balance_after=balance,
			)
		)
	return Schedule(terms=terms, installments=tuple(rows))
