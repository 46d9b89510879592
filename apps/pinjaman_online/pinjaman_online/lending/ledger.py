"""Journal rules of the general ledger: which account roles each money event debits and credits, by how much.

Pure arithmetic on ``Decimal`` Rupiah, no Frappe. Lines name an *account role* (``ROLES``: e.g.
``loan_principal_receivable``); the posting module (``accounting.posting``) turns a role into the ledger
account mapped to it (the loan product's mapping first, then Accounting Settings) and writes the rows.
Double-entry convention: every journal's debits equal its credits; Asset and Expense accounts grow by
debits, Liability, Equity and Income accounts by credits.

Cash or accrual basis (per product, default in Accounting Settings; Source: SAK ETAP / SAK EP on the
recognition of revenue, the cooperative's choice of policy):

- **Cash**: interest and penalties are income when paid (a repayment credits ``interest_income`` and
  ``penalty_income``); a penalty charged but unpaid posts nothing.
- **Accrual**: interest and penalties are income when due: an accrual journal debits ``interest_receivable`` /
  ``penalty_receivable`` and credits the income, and the repayment then credits the receivables.

The accrual rule (Apache Fineract's periodic accrual): an installment's interest is income on its due date;
a penalty when it is charged (the daily run's Loan Penalty Accrual rows, a manual Loan Penalty). The daily run
(close of business) keeps each Accrual-basis loan's receivables equal to its installments' due and unpaid
interest and unpaid penalties (:func:`accrual_target`): one Accrual journal per loan and date of the difference
(:func:`accrual_adjustment_lines`), so the ledger itself records what was accrued and a rerun posts nothing.
A payment that pays interest (or a penalty) not accrued yet accrues it in its own transaction, under its own
voucher (:func:`prepaid_accrual`): the receivable never goes below zero, and reversing the payment mirrors
that accrual with it; the next run accrues again whatever has fallen due meanwhile. A write-off credits the
receivables the ledger holds; an early settlement's payment pays them.

Funders (``lending.settlement``; contract schemes Fronting, Channeling, Participation): the loan stays whole on
the cooperative's books (it originates, disburses, services and collects) and the funder's money for its share
is a liability: a submitted Funder Allocation posts Dr disbursement bank, Cr ``funder_payable`` = the share
funded (:func:`funding_lines`). Each repayment on a funded loan owes the funder, out of what the borrower paid,
its principal part (already owed since the funding) and the interest credited to it net of the cooperative's
originator and servicing fees: that interest is not the cooperative's income on either basis, Dr
``interest_income``, Cr ``funder_payable`` (:func:`funder_share_lines`), in the payment's transaction and under
its voucher (reversed with it). The monthly Funder Settlement pays the funder, Dr ``funder_payable``, Cr bank =
its net to the funder (:func:`funder_paid_lines`), after a Funder Share journal of the rounding between the
settlement's split of the month's collections added up and the payments' splits one by one (at most a Rupiah
per payment). The funder payable is therefore the principal funded and not settled yet plus the net interest
of the payments not settled yet.

Source of the role names and the per-channel clearing accounts: Apache Fineract's loan product accounting
(cash and accrual based), adapted to pension deductions (Taspen, Asabri) and the virtual-account gateway.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .errors import LendingError
from .money import ZERO, to_decimal

ROLES = (
	"loan_principal_receivable",
	"interest_receivable",
	"interest_income",
	"fee_income",
	"penalty_income",
	"penalty_receivable",
	"bank_cash",
	"clearing_taspen",
	"clearing_asabri",
	"clearing_virtual_account",
	"clearing_bank_transfer",
	"suspense_unmatched",
	"refunds_payable",
	"commission_expense",
	"commission_payable",
	"funder_payable",
	"allowance_for_losses",
	"provision_expense",
	"write_off_expense",
	"recovery_income",
	"disbursement_bank",
	"opening_equity",
)
"""Account roles: the options of Ledger Account Mapping's ``account_role``."""

EVENTS = (
	"Disbursement",
	"Fee",
	"Repayment",
	"Reversal",
	"Settlement",
	"Penalty",
	"Refund",
	"Suspense",
	"Commission",
	"Funder Share",
	"Accrual",
	"Provision",
	"Write-off",
	"Recovery",
	"Opening",
	"Manual",
)
"""Journal events: the options of Ledger Entry's ``event``."""

CASH, ACCRUAL = "Cash", "Accrual"
BASES = (CASH, ACCRUAL)

# Loan Payment ``payment_method`` -> clearing role; a pension deduction's role is its pension fund's.
METHOD_ROLES = {
	"Bank Transfer": "clearing_bank_transfer",
	"Cash": "bank_cash",
	"Payment Gateway": "clearing_virtual_account",
}
FUND_ROLES = {"Taspen": "clearing_taspen", "Asabri": "clearing_asabri"}


class UnbalancedJournal(LendingError):
	"""A journal that cannot be posted: empty, unbalanced, a negative or fractional amount, or a line with
	both a debit and a credit (code ``UNBALANCED_JOURNAL``). Source: double-entry bookkeeping."""

	code = "UNBALANCED_JOURNAL"


@dataclass(frozen=True)
class JournalLine:
	"""One line of a journal: ``account`` is an account role (``ROLES``) or a ledger account number;
	``debit`` and ``credit`` are whole Rupiah ``Decimal``, one of them zero."""

	account: str
	debit: Decimal = ZERO
	credit: Decimal = ZERO


def dr(account: str, amount) -> JournalLine:
	"""A debit line of ``amount`` Rupiah on ``account`` (role or number)."""
	return JournalLine(account, to_decimal(amount), ZERO)


def cr(account: str, amount) -> JournalLine:
	"""A credit line of ``amount`` Rupiah on ``account`` (role or number)."""
	return JournalLine(account, ZERO, to_decimal(amount))


def compact(lines: Iterable[JournalLine]) -> list[JournalLine]:
	"""``lines`` without the zero lines (a repayment without a penalty part has no penalty line)."""
	return [line for line in lines if line.debit or line.credit]


def check_balanced(lines: Sequence[JournalLine]) -> Decimal:
	"""Check that ``lines`` make a postable journal and return its total (Σ debit = Σ credit, Rupiah).

	Raises :class:`UnbalancedJournal` when there is no line or the total is zero, a line has no account, an
	amount is negative or not whole Rupiah, a line has both a debit and a credit, or the debits differ from
	the credits. Raises ``TypeError`` for a float amount (``money.to_decimal``).
	"""
	if not lines:
		raise UnbalancedJournal("A journal needs at least one line")
	debit = credit = ZERO
	for line in lines:
		d, c = to_decimal(line.debit), to_decimal(line.credit)
		if not line.account:
			raise UnbalancedJournal("A journal line has no account")
		if d < 0 or c < 0:
			raise UnbalancedJournal("Journal amounts cannot be negative ({account})", account=line.account)
		if d and c:
			raise UnbalancedJournal(
				"A journal line has both a debit and a credit ({account})", account=line.account
			)
		if d != d.to_integral_value() or c != c.to_integral_value():
			raise UnbalancedJournal(
				"Journal amounts are whole Rupiah ({account}: {amount})", account=line.account, amount=d or c
			)
		debit += d
		credit += c
	if debit != credit:
		raise UnbalancedJournal(
			"Journal does not balance: debits {debit}, credits {credit}", debit=debit, credit=credit
		)
	if not debit:
		raise UnbalancedJournal("A journal cannot be all zero")
	return debit


def mirror(lines: Iterable[JournalLine]) -> list[JournalLine]:
	"""The reversing journal of ``lines``: every debit becomes a credit of the same amount and vice versa."""
	return [JournalLine(line.account, line.credit, line.debit) for line in lines]


def check_basis(basis: str) -> str:
	"""``basis`` if it is "Cash" or "Accrual"; raises :class:`LendingError` otherwise."""
	if basis not in BASES:
		raise LendingError("Unknown accounting basis {basis}", basis=basis)
	return basis


def channel_role(payment_method: str | None, pension_fund: str | None = None) -> str:
	"""The clearing role money arrives on: a pension deduction's fund (Taspen/Asabri), the gateway's virtual
	account, a bank transfer, or cash. Raises :class:`LendingError` for an unknown method or fund."""
	if payment_method == "Pension Deduction":
		if pension_fund not in FUND_ROLES:
			raise LendingError("Unknown pension fund {fund}", fund=pension_fund)
		return FUND_ROLES[pension_fund]
	if payment_method not in METHOD_ROLES:
		raise LendingError("Unknown payment method {method}", method=payment_method)
	return METHOD_ROLES[payment_method]


def disbursement_lines(principal, net, fees_deducted) -> list[JournalLine]:
	"""A disbursement: Dr principal receivable = principal; Cr disbursement bank = net paid out; Cr fee
	income = the fees deducted from the disbursement. Raises :class:`UnbalancedJournal` when
	principal ≠ net + fees."""
	lines = compact(
		[
			dr("loan_principal_receivable", principal),
			cr("disbursement_bank", net),
			cr("fee_income", fees_deducted),
		]
	)
	check_balanced(lines)
	return lines


def repayment_lines(
	channel: str, principal, interest, penalty, basis: str = CASH, fee=ZERO
) -> list[JournalLine]:
	"""A repayment of ``principal``, ``interest``, ``penalty`` (and a ``fee``, e.g. an early-settlement fee)
	Rupiah arriving on the clearing role ``channel``: Dr channel = the total; Cr principal receivable; Cr
	interest income (Cash) or interest receivable (Accrual); Cr penalty income (Cash) or penalty receivable
	(Accrual); Cr fee income."""
	check_basis(basis)
	accrual = basis == ACCRUAL
	total = sum((to_decimal(x) for x in (principal, interest, penalty, fee)), ZERO)
	lines = compact(
		[
			dr(channel, total),
			cr("loan_principal_receivable", principal),
			cr("interest_receivable" if accrual else "interest_income", interest),
			cr("penalty_receivable" if accrual else "penalty_income", penalty),
			cr("fee_income", fee),
		]
	)
	check_balanced(lines)
	return lines


def penalty_lines(amount, basis: str = CASH) -> list[JournalLine]:
	"""A penalty charged to a loan: on Accrual basis Dr penalty receivable, Cr penalty income; on Cash basis
	nothing (``[]``: it is income when paid)."""
	if check_basis(basis) == CASH or not to_decimal(amount):
		return []
	lines = [dr("penalty_receivable", amount), cr("penalty_income", amount)]
	check_balanced(lines)
	return lines


def accrual_lines(interest, penalty=ZERO, basis: str = ACCRUAL) -> list[JournalLine]:
	"""Interest and penalties falling due (the daily run's accrual): on Accrual basis Dr interest / penalty
	receivable, Cr interest / penalty income; on Cash basis nothing."""
	if check_basis(basis) == CASH:
		return []
	lines = compact(
		[
			dr("interest_receivable", interest),
			cr("interest_income", interest),
			dr("penalty_receivable", penalty),
			cr("penalty_income", penalty),
		]
	)
	if lines:
		check_balanced(lines)
	return lines


def accrual_adjustment_lines(interest, penalty=ZERO) -> list[JournalLine]:
	"""The daily run's accrual journal of one loan on Accrual basis: ``interest`` and ``penalty`` are the
	signed differences (Rupiah) between what the loan's installments say is due and unpaid and what the
	receivable accounts hold. A positive part is income recognised (Dr receivable, Cr income); a negative part
	(a due installment cancelled, a penalty waived outside a reversible document) takes income back (Dr income,
	Cr receivable). ``[]`` when both are zero."""
	interest, penalty = to_decimal(interest), to_decimal(penalty)
	lines = []
	for amount, receivable, income in (
		(interest, "interest_receivable", "interest_income"),
		(penalty, "penalty_receivable", "penalty_income"),
	):
		if amount > 0:
			lines += [dr(receivable, amount), cr(income, amount)]
		elif amount < 0:
			lines += [dr(income, -amount), cr(receivable, -amount)]
	if lines:
		check_balanced(lines)
	return lines


def accrual_target(installments: Iterable[tuple], as_of) -> tuple[Decimal, Decimal]:
	"""(interest, penalty) receivable of one loan on Accrual basis as of ``as_of``, Rupiah: the interest of
	the installments due on or before ``as_of`` not paid yet, and every penalty charged and not paid.

	``installments``: ``(due_date, interest_amount, interest_paid, penalty_amount, penalty_paid)`` of the
	loan's installments that are not cancelled. Interest paid before its due date was accrued when paid (the
	payment's accrual, :func:`prepaid_accrual`), so an installment not due yet adds nothing. Source: Apache
	Fineract's periodic accrual (income recognised on each installment's due date, and up to the payment when
	paid in advance).
	"""
	interest = penalty = ZERO
	for due, amount, paid, charged, penalty_paid in installments:
		if due <= as_of:
			interest += to_decimal(amount) - to_decimal(paid)
		penalty += to_decimal(charged) - to_decimal(penalty_paid)
	return interest, penalty


def prepaid_accrual(interest_balance, penalty_balance) -> list[JournalLine]:
	"""The accrual a payment on Accrual basis posts with it: when its credit leaves the interest (penalty)
	receivable of the loan below zero (``*_balance``: debit − credit after the repayment, Rupiah), the
	interest (penalty) it paid before it was accrued is recognised now, Dr receivable Cr income, so a
	receivable never goes negative. ``[]`` when neither is negative."""
	return accrual_adjustment_lines(
		max(-to_decimal(interest_balance), ZERO), max(-to_decimal(penalty_balance), ZERO)
	)


def funding_lines(amount) -> list[JournalLine]:
	"""A funder's money for its share of a loan (a Funder Allocation submitted): Dr disbursement bank, Cr
	funder payable = ``amount``. ``[]`` for zero."""
	if not to_decimal(amount):
		return []
	lines = [dr("disbursement_bank", amount), cr("funder_payable", amount)]
	check_balanced(lines)
	return lines


def funder_share_lines(net_interest) -> list[JournalLine]:
	"""A funder's part of a repayment (``lending.settlement`` rules 2-4): the interest credited to it net of
	the cooperative's originator and servicing fees is not the cooperative's income: Dr interest income, Cr
	funder payable = ``net_interest``. Its principal part is already owed (:func:`funding_lines`). A
	negative amount (a settlement's rounding adjustment) the other way round; ``[]`` for zero."""
	amount = to_decimal(net_interest)
	if not amount:
		return []
	lines = [dr("interest_income", abs(amount)), cr("funder_payable", abs(amount))]
	check_balanced(lines)
	return mirror(lines) if amount < 0 else lines


def funder_paid_lines(amount) -> list[JournalLine]:
	"""A funder settlement paid: Dr funder payable, Cr bank = its net to the funder (principal part +
	credited interest − fees). ``[]`` for zero."""
	if not to_decimal(amount):
		return []
	lines = [dr("funder_payable", amount), cr("bank_cash", amount)]
	check_balanced(lines)
	return lines


def settlement_lines(channel: str, principal, interest, penalty, fee, basis: str = CASH) -> list[JournalLine]:
	"""An early settlement collected on ``channel``: the payoff (principal, interest accrued to the
	settlement date, unpaid penalties) as in :func:`repayment_lines`, plus the early-settlement ``fee`` as
	fee income. The interest waived (not yet accrued) was never recognised on either basis and posts
	nothing."""
	return repayment_lines(channel, principal, interest, penalty, basis, fee=fee)


def refund_lines(amount, from_role: str = "refunds_payable") -> list[JournalLine]:
	"""Money paid back to a member: Dr ``from_role`` (refunds payable, or suspense), Cr bank."""
	lines = [dr(from_role, amount), cr("bank_cash", amount)]
	check_balanced(lines)
	return lines


def suspense_lines(channel: str, amount, to_role: str = "suspense_unmatched") -> list[JournalLine]:
	"""Money received that pays no loan (an unmatched deduction, an over-deduction to give back): Dr the
	channel's clearing role, Cr ``to_role`` (suspense, or refunds payable)."""
	lines = [dr(channel, amount), cr(to_role, amount)]
	check_balanced(lines)
	return lines


def commission_lines(amount) -> list[JournalLine]:
	"""A sales agent's commission booked: Dr commission expense, Cr commission payable = ``amount``; a
	clawback (negative ``amount``) the other way round. ``[]`` for zero."""
	amount = to_decimal(amount)
	if not amount:
		return []
	lines = [dr("commission_expense", abs(amount)), cr("commission_payable", abs(amount))]
	return mirror(lines) if amount < 0 else lines


def commission_paid_lines(amount) -> list[JournalLine]:
	"""A commission paid to the agent: Dr commission payable, Cr bank = ``amount``; a clawback settled
	(negative ``amount``: the agent pays back) the other way round. ``[]`` for zero."""
	amount = to_decimal(amount)
	if not amount:
		return []
	lines = [dr("commission_payable", abs(amount)), cr("bank_cash", abs(amount))]
	return mirror(lines) if amount < 0 else lines


def opening_lines(principal_outstanding) -> list[JournalLine]:
	"""The opening journal of a loan booked before the ledger: Dr principal receivable = its outstanding
	principal, Cr opening equity. ``[]`` when nothing is outstanding."""
	if not to_decimal(principal_outstanding):
		return []
	lines = [
		dr("loan_principal_receivable", principal_outstanding),
		cr("opening_equity", principal_outstanding),
	]
	check_balanced(lines)
	return lines


def balances(journals: Iterable[Sequence[JournalLine]]) -> dict[str, Decimal]:
	"""Signed balance (debit − credit, Rupiah) of each account over ``journals``."""
	out: dict[str, Decimal] = {}
	for lines in journals:
		for line in lines:
			out[line.account] = out.get(line.account, ZERO) + to_decimal(line.debit) - to_decimal(line.credit)
	return out
