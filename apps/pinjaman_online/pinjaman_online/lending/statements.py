"""Financial statements from ledger account balances: trial balance, balance sheet, income statement (for a
cooperative: *Laporan Perhitungan Sisa Hasil Usaha*, SHU), the ledger-vs-loans check and the journal export.

Everything here is arithmetic on figures the caller reads from the ledger; amounts are ``Decimal`` Rupiah.
A *balance* is signed debit − credit. Normal balances (double-entry convention): Asset and Expense accounts
are debit-normal, Liability, Equity and Income accounts credit-normal. SHU (Sisa Hasil Usaha, UU 25/1992
Pasal 45: income of a financial year less its costs) = Σ Income − Σ Expense; until the year is closed into
equity it is shown on the balance sheet under equity, so that Assets = Liabilities + Equity + SHU.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, to_decimal

ROOT_TYPES = ("Asset", "Liability", "Equity", "Income", "Expense")
DEBIT_NORMAL = frozenset({"Asset", "Expense"})


def normal_sign(root_type: str) -> int:
	"""+1 for debit-normal root types (Asset, Expense), −1 for credit-normal ones (Liability, Equity, Income).

	Raises ValueError for another root type."""
	if root_type not in ROOT_TYPES:
		raise ValueError(f"Unknown root type {root_type!r}")
	return 1 if root_type in DEBIT_NORMAL else -1


def split(balance: Decimal) -> tuple[Decimal, Decimal]:
	"""A signed balance (debit − credit) as ``(debit, credit)`` columns, one of them zero."""
	return (balance, ZERO) if balance >= ZERO else (ZERO, -balance)


@dataclass(frozen=True)
class AccountMovement:
	"""One account's figures for a period: ``opening`` balance (debit − credit before the period), the
	period's ``debit`` and ``credit`` totals (≥ 0). ``account`` is the account number."""

	account: str
	account_name: str
	root_type: str
	opening: Decimal = ZERO
	debit: Decimal = ZERO
	credit: Decimal = ZERO

	@property
	def closing(self) -> Decimal:
		"""Balance at the end of the period (debit − credit)."""
		return to_decimal(self.opening) + to_decimal(self.debit) - to_decimal(self.credit)


@dataclass(frozen=True)
class TrialBalanceLine:
	"""A trial balance row: opening, movement and closing, each as debit and credit columns."""

	account: str
	account_name: str
	root_type: str
	opening_debit: Decimal
	opening_credit: Decimal
	debit: Decimal
	credit: Decimal
	closing_debit: Decimal
	closing_credit: Decimal


@dataclass(frozen=True)
class TrialBalance:
	"""Trial balance rows (by account number) and column totals; ``balanced`` when the period's debits equal
	its credits and the closing debit column equals the closing credit column."""

	lines: list[TrialBalanceLine]
	totals: TrialBalanceLine

	@property
	def balanced(self) -> bool:
		t = self.totals
		return (
			t.debit == t.credit
			and t.opening_debit == t.opening_credit
			and t.closing_debit == t.closing_credit
		)


def trial_balance(movements: Iterable[AccountMovement], include_zero: bool = False) -> TrialBalance:
	"""The trial balance of ``movements`` (one per account), sorted by account number. Accounts with no
	opening, movement or closing are left out unless ``include_zero``."""
	lines = []
	for m in sorted(movements, key=lambda m: m.account):
		opening, debit, credit = to_decimal(m.opening), to_decimal(m.debit), to_decimal(m.credit)
		if not include_zero and not (opening or debit or credit):
			continue
		lines.append(
			TrialBalanceLine(
				m.account, m.account_name, m.root_type, *split(opening), debit, credit, *split(m.closing)
			)
		)
	totals = TrialBalanceLine(
		"",
		"Total",
		"",
		*(
			sum((getattr(line, f) for line in lines), ZERO)
			for f in (
				"opening_debit",
				"opening_credit",
				"debit",
				"credit",
				"closing_debit",
				"closing_credit",
			)
		),
	)
	return TrialBalance(lines, totals)


@dataclass(frozen=True)
class StatementLine:
	"""An account on a statement with its amount in the account's normal direction (a contra account, such
	as the allowance for losses under assets, is negative)."""

	account: str
	account_name: str
	amount: Decimal


@dataclass(frozen=True)
class Section:
	"""Lines of one root type and their total (normal direction)."""

	root_type: str
	lines: list[StatementLine] = field(default_factory=list)

	@property
	def total(self) -> Decimal:
		return sum((line.amount for line in self.lines), ZERO)


def _sections(balances: Iterable[tuple[str, str, str, Decimal]], include_zero: bool) -> dict[str, Section]:
	sections = {root: Section(root) for root in ROOT_TYPES}
	for account, name, root_type, balance in sorted(balances, key=lambda b: b[0]):
		amount = normal_sign(root_type) * to_decimal(balance)
		if amount or include_zero:
			sections[root_type].lines.append(StatementLine(account, name, amount))
	return sections


@dataclass(frozen=True)
class IncomeStatement:
	"""Income and expense sections of a period and SHU = total income − total expense (negative: a loss)."""

	income: Section
	expense: Section

	@property
	def shu(self) -> Decimal:
		return self.income.total - self.expense.total


def income_statement(
	balances: Iterable[tuple[str, str, str, Decimal]], include_zero: bool = False
) -> IncomeStatement:
	"""The income statement (Laporan Perhitungan SHU) from ``balances``: tuples (account number, account
	name, root type, the period's balance debit − credit). Other root types are ignored."""
	sections = _sections(balances, include_zero)
	return IncomeStatement(sections["Income"], sections["Expense"])


@dataclass(frozen=True)
class BalanceSheet:
	"""Assets, liabilities and equity at a date, with the SHU not yet closed into equity."""

	assets: Section
	liabilities: Section
	equity: Section
	shu: Decimal

	@property
	def total_liabilities_and_equity(self) -> Decimal:
		return self.liabilities.total + self.equity.total + self.shu

	@property
	def difference(self) -> Decimal:
		"""Assets − (liabilities + equity + SHU): zero when every journal balanced."""
		return self.assets.total - self.total_liabilities_and_equity


def balance_sheet(
	balances: Iterable[tuple[str, str, str, Decimal]], include_zero: bool = False
) -> BalanceSheet:
	"""The balance sheet from ``balances``: tuples (account number, account name, root type, balance
	debit − credit at the date, from the beginning of the books). Income and expense balances make the SHU."""
	sections = _sections(list(balances), include_zero)
	shu = sections["Income"].total - sections["Expense"].total
	return BalanceSheet(sections["Asset"], sections["Liability"], sections["Equity"], shu)


@dataclass(frozen=True)
class LoanCheck:
	"""One loan in the ledger-vs-loans check: ``ledger`` = balance of the principal receivable accounts for
	the loan (debit − credit), ``loans`` = the loan's outstanding principal, ``difference`` = ledger − loans."""

	loan: str
	ledger: Decimal
	loans: Decimal

	@property
	def difference(self) -> Decimal:
		return self.ledger - self.loans


def ledger_vs_loans(
	ledger: Mapping[str | None, Decimal], loans: Mapping[str, Decimal], include_zero: bool = False
) -> tuple[list[LoanCheck], LoanCheck]:
	"""Compare receivable balances per loan (``ledger``: loan → debit − credit; key None for rows of the
	receivable accounts that name no loan) with the loans' outstanding principal (``loans``: loan → Rupiah).

	Returns the rows (sorted by loan, the no-loan row last; rows where both are zero are left out unless
	``include_zero``) and a total row (loan ``""``)."""
	names = set(ledger) | set(loans)
	rows = []
	for loan in sorted(names, key=lambda n: (n is None, n or "")):
		row = LoanCheck(loan or "", to_decimal(ledger.get(loan, ZERO)), to_decimal(loans.get(loan, ZERO)))
		if include_zero or row.ledger or row.loans:
			rows.append(row)
	total = LoanCheck(
		"",
		sum((to_decimal(v) for v in ledger.values()), ZERO),
		sum((to_decimal(v) for v in loans.values()), ZERO),
	)
	return rows, total


JOURNAL_EXPORT_COLUMNS = (
	"journal_no",
	"posting_date",
	"account_number",
	"account_name",
	"debit",
	"credit",
	"event",
	"voucher_type",
	"voucher_no",
	"loan",
	"member",
	"is_reversal",
	"reversal_of",
	"remarks",
)
"""Columns of the journal export (CSV), in this order; see :func:`journal_export_row`."""


def journal_export_row(entry: Mapping) -> list[str]:
	"""One CSV row of the journal export from a ledger entry (a mapping with the keys of
	:data:`JOURNAL_EXPORT_COLUMNS`): dates ISO ``YYYY-MM-DD``, amounts whole Rupiah without separators
	(``1500000``), ``is_reversal`` 0/1, missing values empty. Text is kept as it is (the CSV writer quotes)."""
	row = []
	for column in JOURNAL_EXPORT_COLUMNS:
		value = entry.get(column)
		if column in ("debit", "credit"):
			row.append(str(to_decimal(str(value or 0)).quantize(Decimal(1))))
		elif column == "is_reversal":
			row.append("1" if value else "0")
		elif column == "posting_date" and value is not None and hasattr(value, "isoformat"):
			row.append(value.isoformat())
		else:
			row.append("" if value is None else str(value))
	return row
