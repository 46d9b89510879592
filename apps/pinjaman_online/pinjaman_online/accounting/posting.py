"""Posting to the general ledger: the only code that writes Ledger Entry rows.

A journal is a list of ``lending.ledger.JournalLine`` (account role or account number, debit, credit in whole
Rupiah) about one voucher (the document that moved the money). Posting checks the journal balances
(``lending.ledger.check_balanced``), turns each role into its ledger account (the loan product's
``account_mapping`` first, then Accounting Settings), refuses a date on or before
Accounting Settings ``books_closed_until`` (the period lock) and writes one row per line, all rows of every
journal of a call in multi-row INSERTs (``pinjaman_online.utils.insert_rows``: named columns checked against
the doctype's, values bound by the database driver). It runs in the caller's transaction and never commits:
the journal and the event that moved the money are saved together or not at all.

Journals are immutable; a correction is :func:`reverse_journals`, which posts the mirror of a voucher's
journals (``is_reversal`` = 1, ``reversal_of`` = the journal reversed).

Accrual basis (rules in ``lending.ledger``'s module docstring): the daily run calls :func:`accrue_loans` for each
chunk of loans; a repayment's followers (:func:`post_payment_followers`: the accrual of what it paid ahead, the
funders' shares) are posted under the payment's voucher in its transaction, so cancelling the payment mirrors
them. Funders: :func:`post_funding` (Funder Allocation), :func:`funder_share_requests` (each repayment),
:func:`post_funder_settlement` (Funder Settlement).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.ledger import (
	ACCRUAL,
	CASH,
	ROLES,
	JournalLine,
	accrual_adjustment_lines,
	channel_role,
	check_balanced,
	commission_lines,
	commission_paid_lines,
	disbursement_lines,
	funder_paid_lines,
	funder_share_lines,
	funding_lines,
	mirror,
	opening_lines,
	penalty_lines,
	prepaid_accrual,
	refund_lines,
	repayment_lines,
)
from pinjaman_online.lending.money import ZERO, to_decimal
from pinjaman_online.utils import insert_rows, to_money

JOURNAL_SERIES = "JR-.YYYY.-.#######"
LINE_COLUMNS = ("name", "idx", "account", "debit", "credit")
"""Ledger Entry columns that differ from line to line of a journal."""
JOURNAL_COLUMNS = (
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"journal_no",
	"posting_date",
	"event",
	"voucher_type",
	"voucher_no",
	"loan",
	"member",
	"loan_product",
	"is_reversal",
	"reversal_of",
	"remarks",
)
"""Ledger Entry columns shared by every line of a journal."""
ENTRY_COLUMNS = LINE_COLUMNS + JOURNAL_COLUMNS
CHUNK_ROWS = 1000


class PostingError(frappe.ValidationError):
	"""A journal that cannot be posted: unbalanced, empty, not whole Rupiah, an unknown or unmapped account
	(HTTP 417)."""


class PeriodClosedError(frappe.ValidationError):
	"""A journal dated on or before Accounting Settings ``books_closed_until`` (HTTP 417)."""


@dataclass
class JournalRequest:
	"""One journal to post: see :func:`post_journal` for the fields."""

	event: str
	posting_date: datetime.date | str
	lines: list[JournalLine]
	voucher_type: str
	voucher_no: str
	loan: str | None = None
	member: str | None = None
	loan_product: str | None = None
	remarks: str | None = None
	is_reversal: int = 0
	reversal_of: str | None = None
	extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ settings


def settings() -> dict:
	"""Accounting Settings as ``{"books_closed_until": date|None, "basis": "Cash"|"Accrual",
	"mapping": {role: account}}``, read from the database (three small queries per posting call)."""
	stored = dict(
		frappe.db.sql(
			"""SELECT field, value FROM `tabSingles` WHERE doctype = 'Accounting Settings'
			AND field IN ('books_closed_until', 'accounting_basis')"""
		)
	)
	closed, basis = stored.get("books_closed_until"), stored.get("accounting_basis") or CASH
	mapping = dict(
		frappe.db.sql(
			"""SELECT account_role, account FROM `tabLedger Account Mapping`
			WHERE parenttype = 'Accounting Settings' AND parent = 'Accounting Settings'"""
		)
	)
	return {"books_closed_until": getdate(closed) if closed else None, "basis": basis, "mapping": mapping}


def product_settings(products) -> dict[str, dict]:
	"""Loan Product name -> ``{"basis": ..., "mapping": {role: account}}``: the product's own basis and
	account mapping over the defaults of Accounting Settings."""
	base = settings()
	products = sorted({p for p in products if p})
	out = {}
	if products:
		marks = ", ".join(["%s"] * len(products))
		bases = dict(
			frappe.db.sql(
				f"SELECT name, accounting_basis FROM `tabLoan Product` WHERE name IN ({marks})", products
			)
		)
		own = {}
		for parent, role, account in frappe.db.sql(
			f"""SELECT parent, account_role, account FROM `tabLedger Account Mapping`
			WHERE parenttype = 'Loan Product' AND parent IN ({marks})""",
			products,
		):
			own.setdefault(parent, {})[role] = account
		for p in products:
			out[p] = {
				"basis": bases.get(p) or base["basis"],
				"mapping": {**base["mapping"], **own.get(p, {})},
			}
	return out


def basis_of(loan_product: str | None) -> str:
	"""The accounting basis ("Cash" or "Accrual") of a loan product (its own, else the settings' default)."""
	if not loan_product:
		return settings()["basis"]
	return product_settings([loan_product])[loan_product]["basis"]


def _postable_accounts() -> set[str]:
	return {
		name
		for (name,) in frappe.db.sql(
			"SELECT name FROM `tabLedger Account` WHERE is_group = 0 AND disabled = 0"
		)
	}


# ------------------------------------------------------------------ posting


def post_journal(
	event: str,
	posting_date,
	lines: list[JournalLine],
	voucher_type: str,
	voucher_no: str,
	loan: str | None = None,
	member: str | None = None,
	loan_product: str | None = None,
	remarks: str | None = None,
) -> str:
	"""Post one journal in the caller's transaction and return its number (``JR-YYYY-#######``).

	``event``: one of ``lending.ledger.EVENTS``; ``posting_date``: a date or ISO text; ``lines``: JournalLine
	(role or account number, Decimal whole Rupiah); ``voucher_type``/``voucher_no``: the document that moved
	the money; ``loan``, ``member``, ``loan_product`` for the reports (the product also chooses the account
	mapping). Raises PostingError (unbalanced, empty, fractional, unknown or unmapped account) or
	PeriodClosedError (date on or before ``books_closed_until``), both ``frappe.ValidationError``.
	"""
	return post_journals(
		[
			JournalRequest(
				event, posting_date, lines, voucher_type, voucher_no, loan, member, loan_product, remarks
			)
		]
	)[0]


def post_journals(requests: list[JournalRequest]) -> list[str]:
	"""Post many journals (:class:`JournalRequest`) with multi-row INSERTs; their numbers, in order.

	All or nothing: every journal is checked before any row is written (errors as :func:`post_journal`).
	Journal numbers are one block of the ``JR-.YYYY.-.#######`` series.
	"""
	if not requests:
		return []
	from pinjaman_online.servicing.bulk import reserve_names

	closed = settings()["books_closed_until"]
	products = product_settings(r.loan_product for r in requests)
	default_mapping = settings()["mapping"]
	postable = _postable_accounts()
	prepared = []
	for r in requests:
		try:
			check_balanced(r.lines)
		except LendingError as exc:
			frappe.throw(
				_("{0} {1}: {2}").format(
					_(r.voucher_type), r.voucher_no, _(exc.template).format(**exc.params)
				),
				PostingError,
				title=_("Cannot post the journal"),
			)
		day = getdate(r.posting_date)
		if closed and day <= closed:
			frappe.throw(
				_("The books are closed until {0}: nothing can be posted on {1}").format(
					frappe.format(closed, "Date"), frappe.format(day, "Date")
				),
				PeriodClosedError,
				title=_("Period closed"),
			)
		mapping = products[r.loan_product]["mapping"] if r.loan_product in products else default_mapping
		accounts = []
		for line in r.lines:
			account = mapping.get(line.account) if line.account in ROLES else line.account
			if not account:
				frappe.throw(
					_("No ledger account is mapped to the role {0} (Accounting Settings)").format(
						line.account
					),
					PostingError,
					title=_("Cannot post the journal"),
				)
			if account not in postable:
				frappe.throw(
					_("Ledger account {0} does not exist, is a group or is disabled").format(account),
					PostingError,
					title=_("Cannot post the journal"),
				)
			accounts.append(account)
		prepared.append((r, day, accounts))

	numbers = reserve_names(JOURNAL_SERIES, len(prepared))
	user = frappe.session.user
	base = now_datetime()
	journals = []
	for n, (r, day, accounts) in enumerate(prepared):
		number = numbers[n]
		stamp = base + datetime.timedelta(microseconds=n)
		shared = (
			stamp, stamp, user, user, 0, number, day, r.event, r.voucher_type, r.voucher_no, r.loan, r.member,
			r.loan_product, 1 if r.is_reversal else 0, r.reversal_of, r.remarks,
		)  # fmt: skip
		lines = [
			(f"{number}-{idx}", idx, account, to_decimal(line.debit), to_decimal(line.credit))
			for idx, (line, account) in enumerate(zip(r.lines, accounts, strict=True), 1)
		]
		journals.append((shared, lines))
	insert_entries(journals)
	return numbers


def insert_entries(journals: list[tuple[tuple, list[tuple]]]) -> int:
	"""Insert the Ledger Entry rows of ``journals`` (``(shared values in JOURNAL_COLUMNS order, [line values
	in LINE_COLUMNS order]``) with ``pinjaman_online.utils.insert_rows``: multi-row INSERTs of CHUNK_ROWS
	rows, the columns checked against the doctype's, the values bound by the database driver. Returns the
	number of rows."""
	rows = [line + shared for shared, lines in journals for line in lines]
	return insert_rows("Ledger Entry", ENTRY_COLUMNS, rows, chunk_size=CHUNK_ROWS)


def reverse_journals(
	voucher_type: str, voucher_no: str | list[str], posting_date=None, remarks: str | None = None
) -> list[str]:
	"""Post the mirror of every journal of the voucher(s) not reversed yet; their numbers.

	``voucher_no``: one name or a list (bulk cancellation). Each reversing journal has the original's event,
	accounts, loan, member and product, debits and credits swapped, ``is_reversal`` = 1 and ``reversal_of`` =
	the original's number. ``posting_date``: the reversal's date; by default the original's date when its
	period is open (the ledger then tells the loan's history as it now stands), else today. A journal already
	reversed, or itself a reversal, is left alone, so a second call posts nothing.
	"""
	vouchers = [voucher_no] if isinstance(voucher_no, str) else list(voucher_no)
	if not vouchers:
		return []
	entries = []
	for start in range(0, len(vouchers), 1000):
		chunk = vouchers[start : start + 1000]
		marks = ", ".join(["%s"] * len(chunk))
		entries += frappe.db.sql(
			f"""SELECT e.journal_no, e.posting_date, e.account, e.debit, e.credit, e.event, e.voucher_no,
				e.loan, e.member, e.loan_product
			FROM `tabLedger Entry` e
			WHERE e.voucher_type = %s AND e.voucher_no IN ({marks}) AND e.is_reversal = 0
				AND NOT EXISTS (SELECT 1 FROM `tabLedger Entry` r WHERE r.voucher_type = e.voucher_type
					AND r.voucher_no = e.voucher_no AND r.reversal_of = e.journal_no)
			ORDER BY e.journal_no, e.idx""",
			[voucher_type, *chunk],
			as_dict=True,
		)
	if not entries:
		return []
	closed = settings()["books_closed_until"]
	today = getdate()
	journals: dict[str, list] = {}
	for e in entries:
		journals.setdefault(e.journal_no, []).append(e)
	requests = []
	for number, rows in journals.items():
		first = rows[0]
		day = getdate(posting_date) if posting_date else getdate(first.posting_date)
		if not posting_date and closed and day <= closed:
			day = max(today, closed + datetime.timedelta(days=1))
		lines = mirror(JournalLine(e.account, _whole(e.debit), _whole(e.credit)) for e in rows)
		requests.append(
			JournalRequest(
				first.event,
				day,
				lines,
				voucher_type,
				first.voucher_no,
				first.loan,
				first.member,
				first.loan_product,
				remarks or _("Reversal of {0}").format(number),
				is_reversal=1,
				reversal_of=number,
			)
		)
	numbers = post_journals(requests)
	if voucher_type == "Loan Payment":
		# A payment undone makes its installments unpaid again: on Accrual basis what has fallen due since it
		# was paid ahead is receivable now (the daily run's accrual, for these loans, today).
		loans, live = sorted({e.loan for e in entries if e.loan}), []
		for start in range(0, len(loans), 1000):
			live += frappe.db.sql_list(
				"SELECT name FROM `tabLoan` WHERE name IN %s AND status IN ('Active', 'Default')",
				[loans[start : start + 1000]],
			)
		if live:
			accrue_loans(live, today)
	return numbers


def _whole(value) -> Decimal:
	"""A stored Currency value as Decimal Rupiah (not rounded: a fractional amount is refused when posted)."""
	return to_money(value or 0)


def journals_of(voucher_type: str, voucher_no: str) -> list[str]:
	"""The journal numbers posted for a voucher (reversals included), oldest first."""
	return frappe.db.sql_list(
		"""SELECT DISTINCT journal_no FROM `tabLedger Entry` WHERE voucher_type = %s AND voucher_no = %s
		ORDER BY journal_no""",
		(voucher_type, voucher_no),
	)


# ------------------------------------------------------------------ money events
# One function per event, called by the event's controller in the event's transaction.


def _loan(loan: str) -> dict:
	"""The loan's name, member, product, principal, net disbursement and pension fund (the loan's, else its
	member's)."""
	return _loans([loan])[loan]


def _loans(loans) -> dict[str, dict]:
	out = {}
	loans = sorted(set(loans))
	for start in range(0, len(loans), 1000):
		chunk = loans[start : start + 1000]
		marks = ", ".join(["%s"] * len(chunk))
		for row in frappe.db.sql(
			f"""SELECT l.name, l.member, l.loan_product, l.principal, l.net_disbursement,
				COALESCE(NULLIF(l.pension_fund, ''), m.pension_fund) AS pension_fund
			FROM `tabLoan` l LEFT JOIN `tabMember` m ON m.name = l.member WHERE l.name IN ({marks})""",
			chunk,
			as_dict=True,
		):
			out[row.name] = row
	return out


def post_disbursement(doc) -> str:
	"""Loan Disbursement submitted: Dr principal receivable = principal, Cr disbursement bank = net paid,
	Cr fee income = fees deducted from the disbursement."""
	loan = _loan(doc.loan)
	principal = _whole(loan.principal)
	net = _whole(doc.amount)
	return post_journal(
		"Disbursement",
		doc.disbursement_date,
		disbursement_lines(principal, net, principal - net),
		doc.doctype,
		doc.name,
		loan.name,
		loan.member,
		loan.loan_product,
	)


def payment_channel(payment_method: str | None, pension_fund: str | None) -> str:
	"""The clearing role of a payment: by method, a pension deduction by the loan's pension fund."""
	fund = pension_fund if payment_method == "Pension Deduction" else None
	try:
		return channel_role(payment_method, fund)
	except LendingError as exc:
		frappe.throw(_(exc.template).format(**exc.params), PostingError, title=_("Cannot post the journal"))


def post_payment(doc) -> str:
	"""Loan Payment submitted (document path): Dr the channel's clearing account = the amount, Cr principal
	receivable, interest and penalty (income on Cash basis, receivable on Accrual) as allocated, and Cr fee
	income = its fee part (an early settlement's fee, ``fee_amount``). An early settlement's payment
	(``source_key`` "settlement:…") is the Settlement journal, any other a Repayment."""
	loan = _loan(doc.loan)
	settlement = (doc.source_key or "").startswith("settlement:")
	number = post_journal(
		"Settlement" if settlement else "Repayment",
		doc.posting_date,
		repayment_lines(
			payment_channel(doc.payment_method, loan.pension_fund),
			_whole(doc.total_principal),
			_whole(doc.total_interest),
			_whole(doc.total_penalty),
			basis_of(loan.loan_product),
			fee=_whole(doc.get("fee_amount")),
		),
		doc.doctype,
		doc.name,
		loan.name,
		loan.member,
		loan.loan_product,
		remarks=_("Early settlement {0}").format(doc.source_key.split(":", 1)[1]) if settlement else None,
	)
	item = frappe._dict(loan=loan.name, posting_date=doc.posting_date)
	parts = frappe._dict(
		total_principal=_whole(doc.total_principal),
		total_interest=_whole(doc.total_interest),
		total_penalty=_whole(doc.total_penalty),
	)
	post_payment_followers("Loan Payment", [(doc.name, item, parts)], {loan.name: loan})
	return number


def post_bulk_payments(payments: list[tuple]) -> list[str]:
	"""Bulk-posted Loan Payments (``servicing.bulk.post_payments``): one Repayment journal each, all in
	multi-row INSERTs. ``payments``: ``(payment name, PaymentItem, Allocation)`` tuples: the item gives the
	loan, date and method, the allocation the principal, interest and penalty parts (Decimal Rupiah)."""
	if not payments:
		return []
	info = _loans(item.loan for _name, item, _allocation in payments)
	products = product_settings(row.loan_product for row in info.values())
	default_basis = settings()["basis"]
	requests = []
	for name, item, allocation in payments:
		loan = info[item.loan]
		try:
			channel = channel_role(item.payment_method, loan.pension_fund)
		except LendingError as exc:
			frappe.throw(_(exc.template).format(**exc.params), PostingError)
		basis = products[loan.loan_product]["basis"] if loan.loan_product in products else default_basis
		requests.append(
			JournalRequest(
				"Repayment",
				item.posting_date,
				repayment_lines(
					channel,
					allocation.total_principal,
					allocation.total_interest,
					allocation.total_penalty,
					basis,
				),
				"Loan Payment",
				name,
				loan.name,
				loan.member,
				loan.loan_product,
			)
		)
	numbers = post_journals(requests)
	post_payment_followers("Loan Payment", payments, info)
	return numbers


def post_payment_followers(voucher_type: str, payments: list[tuple], info: dict) -> list[str]:
	"""The journals that follow repayments in their transaction, under the same voucher (so a reversal of
	the payment mirrors them too), all in one multi-row INSERT:

	- on Accrual basis, the accrual of what a payment paid before it was accrued (interest of an installment
	  not due yet, a penalty charged today before the daily run): :func:`accrue_prepaid`;
	- on a funded loan, each live funder allocation's share of the repayment (:func:`funder_share_requests`).

	``payments``: ``(voucher name, item with loan and posting_date, allocation with total_principal,
	total_interest, total_penalty)``; ``info``: loan -> row of :func:`_loans`."""
	requests = accrue_prepaid(voucher_type, payments, info)
	requests += funder_share_requests(voucher_type, payments, info)
	return post_journals(requests)


def receivable_balances(loans) -> dict[str, tuple[Decimal, Decimal]]:
	"""Loan -> (interest receivable, penalty receivable) balance in the ledger (debit − credit, Rupiah, every
	entry), for ``loans``; loans without an entry on those accounts are absent. One grouped query per 1000
	loans."""
	from pinjaman_online.accounting.report.common import accounts_of_role

	interest_accounts = set(accounts_of_role("interest_receivable"))
	penalty_accounts = set(accounts_of_role("penalty_receivable"))
	accounts = sorted(interest_accounts | penalty_accounts)
	loans = sorted(set(loans))
	out: dict[str, list[Decimal]] = {}
	if not accounts:
		return {}
	for start in range(0, len(loans), 1000):
		chunk = loans[start : start + 1000]
		for loan, account, balance in frappe.db.sql(
			# By the loan's index: the account's would read every loan's accruals.
			f"""SELECT loan, account, SUM(debit - credit) FROM `tabLedger Entry` FORCE INDEX (loan)
			WHERE loan IN ({", ".join(["%s"] * len(chunk))}) AND account IN %s GROUP BY loan, account""",
			(*chunk, accounts),
		):
			row = out.setdefault(loan, [ZERO, ZERO])
			row[0 if account in interest_accounts else 1] += _whole(balance)
	return {loan: (i, p) for loan, (i, p) in out.items()}


def _bases(info: dict) -> dict[str, str]:
	"""Loan -> its product's accounting basis, for the rows of :func:`_loans` in ``info``."""
	products = product_settings(row.loan_product for row in info.values())
	default = settings()["basis"]
	return {
		loan: products[row.loan_product]["basis"] if row.loan_product in products else default
		for loan, row in info.items()
	}


def accrue_prepaid(voucher_type: str, payments: list[tuple], info: dict) -> list[JournalRequest]:
	"""Accrual journals (event Accrual, the payment's voucher and date) for the Accrual-basis loans whose
	interest or penalty receivable the repayments just posted left below zero (``lending.ledger
	.prepaid_accrual``): what was paid before it was accrued is income now. Each payment's accrual is
	taken in order, so two payments of one loan in one call accrue what each paid ahead. ``payments``,
	``info``: as :func:`post_payment_followers`."""
	bases = _bases(info)
	accruing = [item.loan for _name, item, _parts in payments if bases.get(item.loan) == ACCRUAL]
	if not accruing:
		return []
	balances = {loan: list(value) for loan, value in receivable_balances(accruing).items()}
	# The balances include every repayment of this call: give each payment back its credit, then take the
	# payments in order.
	for _name, item, parts in payments:
		if item.loan in balances:
			balances[item.loan][0] += to_decimal(parts.total_interest)
			balances[item.loan][1] += to_decimal(parts.total_penalty)
	requests = []
	for name, item, parts in payments:
		if bases.get(item.loan) != ACCRUAL:
			continue
		balance = balances.setdefault(item.loan, [ZERO, ZERO])
		balance[0] -= to_decimal(parts.total_interest)
		balance[1] -= to_decimal(parts.total_penalty)
		lines = prepaid_accrual(balance[0], balance[1])
		if not lines:
			continue
		balance[0], balance[1] = max(balance[0], ZERO), max(balance[1], ZERO)
		loan = info[item.loan]
		requests.append(
			JournalRequest(
				"Accrual",
				item.posting_date,
				lines,
				voucher_type,
				name,
				loan.name,
				loan.member,
				loan.loan_product,
				_("Accrued when paid ahead of its due date"),
			)
		)
	return requests


# ------------------------------------------------------------------ accrual basis: the daily run


def accrue_loans(loans, as_of, run: str | None = None) -> dict:
	"""The daily run's accrual (close of business) for ``loans`` as of ``as_of``, set-based, in the caller's
	transaction: for each loan whose product is on Accrual basis, the interest of its installments due on or
	before ``as_of`` and the penalties charged to it (the daily run's Loan Penalty Accrual rows, manual Loan
	Penalties), not paid, against its interest and penalty receivable in the ledger
	(``lending.ledger.accrual_target``); a difference posts one Accrual journal (``lending.ledger
	.accrual_adjustment_lines``) dated ``as_of`` (the first open day when the books are closed), voucher the
	Servicing Run of the date. The ledger is the record of what was accrued, so a rerun or a resumed chunk
	finds no difference and posts nothing. Cash-basis loans post nothing.

	``loans``: loan names, or a mapping loan -> its Loan Product (the daily run has it: the loans of products on
	Cash basis are then never read). Returns ``{"journals": n, "interest": Decimal, "penalty": Decimal}`` (net
	Rupiah accrued)."""
	out = {"journals": 0, "interest": ZERO, "penalty": ZERO}
	if isinstance(loans, dict):
		products = product_settings(set(loans.values()))
		default = settings()["basis"]
		loans = [
			loan
			for loan, product in loans.items()
			if (products[product]["basis"] if product in products else default) == ACCRUAL
		]
	if not loans:
		return out
	info = _loans(loans)
	bases = _bases(info)
	accruing = sorted(loan for loan in info if bases.get(loan) == ACCRUAL)
	if not accruing:
		return out
	as_of = getdate(as_of)
	targets: dict[str, tuple[Decimal, Decimal]] = {}
	for start in range(0, len(accruing), 1000):
		chunk = accruing[start : start + 1000]
		for loan, interest, penalty in frappe.db.sql(
			f"""SELECT loan,
				SUM(CASE WHEN due_date <= %s THEN interest_amount - interest_paid ELSE 0 END),
				SUM(penalty_amount - penalty_paid)
			FROM `tabLoan Installment`
			WHERE loan IN ({", ".join(["%s"] * len(chunk))}) AND status != 'Cancelled'
			GROUP BY loan""",
			(as_of, *chunk),
		):
			targets[loan] = (_whole(interest), _whole(penalty))
	balances = receivable_balances(accruing)
	closed = settings()["books_closed_until"]
	day = max(as_of, closed + datetime.timedelta(days=1)) if closed and as_of <= closed else as_of
	requests = []
	for loan in accruing:
		target = targets.get(loan, (ZERO, ZERO))
		held = balances.get(loan, (ZERO, ZERO))
		interest, penalty = target[0] - held[0], target[1] - held[1]
		lines = accrual_adjustment_lines(interest, penalty)
		if not lines:
			continue
		row = info[loan]
		requests.append(
			JournalRequest(
				"Accrual",
				day,
				lines,
				"Servicing Run",
				run or str(as_of),
				row.name,
				row.member,
				row.loan_product,
				_("Accrued to {0}").format(as_of),
			)
		)
		out["interest"] += interest
		out["penalty"] += penalty
	post_journals(requests)
	out["journals"] = len(requests)
	return out


def accrual_products(products) -> set[str]:
	"""The Loan Products among ``products`` whose accounting basis is Accrual (their own, else the default)."""
	settled = product_settings(products)
	return {product for product, values in settled.items() if values["basis"] == ACCRUAL}


def accrue_all(as_of=None) -> dict:
	"""Catch every live loan up at once (after a product is switched to Accrual basis; the daily run checks
	only the loans that can have changed since its last completed run): :func:`accrue_loans` over the Active
	and Default loans, 5,000 at a time, as of ``as_of`` (default today). Run by hand:
	``bin/frappe --site SITE execute pinjaman_online.accounting.posting.accrue_all``. Returns the sums of
	:func:`accrue_loans`' figures."""
	as_of = getdate(as_of or getdate())
	names = frappe.db.sql_list(
		"SELECT name FROM `tabLoan` WHERE status IN ('Active', 'Default') ORDER BY name"
	)
	out = {"journals": 0, "interest": ZERO, "penalty": ZERO}
	for start in range(0, len(names), 5000):
		for key, value in accrue_loans(names[start : start + 5000], as_of).items():
			out[key] += value
	return out


# ------------------------------------------------------------------ funders


def _open_day(day) -> datetime.date:
	"""``day``, or the first open day when the books are closed on it."""
	day = getdate(day)
	closed = settings()["books_closed_until"]
	return max(day, closed + datetime.timedelta(days=1)) if closed and day <= closed else day


def funder_share_requests(voucher_type: str, payments: list[tuple], info: dict) -> list[JournalRequest]:
	"""Funder Share journals of repayments on funded loans: for each funder allocation live on the payment's
	date (``Participation.live_on``), its part of the payment split by ``lending.settlement.split_collection``
	with every live share of the loan; the interest credited to it net of the originator and servicing fees
	is owed to it (``lending.ledger.funder_share_lines``: Dr interest income, Cr funder payable). Its principal
	part was owed since it funded the loan (:func:`post_funding`). One journal per payment and allocation,
	``remarks`` the allocation's name (its funder), under the payment's voucher. ``payments``, ``info``: as
	:func:`post_payment_followers`."""
	from pinjaman_online.funding.utils import participations
	from pinjaman_online.lending.settlement import Collection, split_collection

	loans = sorted({item.loan for _name, item, _parts in payments})
	shares = [p for start in range(0, len(loans), 1000) for p in participations(loans[start : start + 1000])]
	if not shares:
		return []
	by_loan: dict[str, list] = {}
	for p in sorted(shares, key=lambda p: (p.effective_from, p.key)):
		by_loan.setdefault(p.loan, []).append(p)
	requests = []
	for name, item, parts in payments:
		day = getdate(item.posting_date)
		live = [p for p in by_loan.get(item.loan, []) if p.live_on(day)]
		if not live:
			continue
		split = split_collection(
			Collection(
				to_decimal(parts.total_principal),
				to_decimal(parts.total_interest),
				to_decimal(parts.total_penalty),
			),
			[p.terms for p in live],
		)
		loan = info[item.loan]
		for part in split.funders:
			lines = funder_share_lines(part.net_interest)
			if lines:
				requests.append(
					JournalRequest(
						"Funder Share",
						item.posting_date,
						lines,
						voucher_type,
						name,
						loan.name,
						loan.member,
						loan.loan_product,
						part.key,
					)
				)
	return requests


def post_funding(doc, method=None) -> str | None:
	"""Funder Allocation submitted: the funder's money for its share of the loan, Dr disbursement bank, Cr
	funder payable = ``share_amount``, dated its effective date (the first open day when the books are
	closed then); ``remarks`` the allocation (its funder). None for a zero share."""
	lines = funding_lines(_whole(doc.share_amount))
	if not lines:
		return None
	loan = _loan(doc.loan)
	return post_journal(
		"Funder Share",
		_open_day(doc.effective_date),
		lines,
		doc.doctype,
		doc.name,
		loan.name,
		loan.member,
		loan.loan_product,
		doc.name,
	)


def settled_funder_interest(funder: str, start, end) -> Decimal:
	"""Net interest the Funder Share journals of the submitted Loan Payments posted from ``start`` to ``end``
	owe ``funder`` (credit − debit on funder payable, Rupiah)."""
	from pinjaman_online.accounting.report.common import accounts_of_role
	from pinjaman_online.funding.utils import funder_loans

	accounts = accounts_of_role("funder_payable")
	allocations = frappe.get_all(
		"Funder Allocation", filters={"funder": funder, "docstatus": 1}, pluck="name", ignore_permissions=True
	)
	loans = funder_loans(funder, getdate(start), getdate(end))
	total = ZERO
	if not accounts or not allocations:
		return total
	for first in range(0, len(loans), 1000):
		# From the funder's loans' payments of the period to their journals (by the indexed voucher number).
		total += _whole(
			frappe.db.sql(
				"""SELECT SUM(e.credit - e.debit) FROM `tabLoan Payment` p
				JOIN `tabLedger Entry` e ON e.voucher_no = p.name AND e.voucher_type = 'Loan Payment'
				WHERE p.loan IN %(loans)s AND p.docstatus = 1 AND p.posting_date BETWEEN %(start)s AND %(end)s
					AND e.event = 'Funder Share' AND e.is_reversal = 0 AND e.account IN %(accounts)s
					AND e.remarks IN %(allocations)s""",
				{
					"loans": loans[first : first + 1000],
					"start": start,
					"end": end,
					"accounts": accounts,
					"allocations": allocations,
				},
			)[0][0]
		)
	return total


def post_funder_settlement(doc, method=None) -> list[str]:
	"""Funder Settlement submitted: (1) the rounding of its interest: the net interest of the settlement
	(credited − fees, split on the period's collections added up) less what the period's payments' Funder
	Share journals owe the funder (split payment by payment), a Funder Share journal of the difference (a few
	Rupiah at most); (2) the settlement paid: Dr funder payable, Cr bank = ``net_to_funder``. Dated the
	period's last day (the first open day when closed). Cancelling (a new version supersedes it) mirrors both
	(:func:`reverse_voucher`), and the new version posts its own."""
	day = _open_day(doc.period_end)
	owed = _whole(doc.total_interest) - _whole(doc.total_fees)
	adjustment = owed - settled_funder_interest(doc.funder, doc.period_start, doc.period_end)
	requests = []
	lines = funder_share_lines(adjustment)
	if lines:
		requests.append(
			JournalRequest(
				"Funder Share",
				day,
				lines,
				doc.doctype,
				doc.name,
				remarks=_("Rounding of the funder's interest over {0}").format(doc.period),
			)
		)
	lines = funder_paid_lines(_whole(doc.net_to_funder))
	if lines:
		requests.append(JournalRequest("Funder Share", day, lines, doc.doctype, doc.name, remarks=doc.funder))
	return post_journals(requests)


HELD_MONEY = {
	# voucher type -> (event, role credited): money a pension fund deducted that pays no loan
	"Reconciliation Exception": ("Suspense", "suspense_unmatched"),
	"Refund Request": ("Refund", "refunds_payable"),
}


def post_held_money(voucher_type: str, names: list[str], posting_date) -> list[str]:
	"""Pension deductions received that pay no loan, one journal per voucher, in multi-row INSERTs: an
	unmatched or unposted deduction (Reconciliation Exception, event Suspense: Dr the fund's clearing account,
	Cr suspense for unmatched deductions) or an over-deduction to give back (Refund Request, event Refund: Dr
	the fund's clearing account, Cr refunds payable). Vouchers without an amount or a pension fund post
	nothing. ``posting_date``: the date the fund's money arrived (the import's posting date)."""
	if not names:
		return []
	event, role = HELD_MONEY[voucher_type]
	rows = []
	for start in range(0, len(names), 1000):
		chunk = names[start : start + 1000]
		marks = ", ".join(["%s"] * len(chunk))
		rows += frappe.db.sql(
			f"""SELECT v.name, v.pension_fund, v.amount, v.loan, v.member, l.loan_product
			FROM `tab{voucher_type}` v LEFT JOIN `tabLoan` l ON l.name = v.loan
			WHERE v.name IN ({marks}) AND v.amount > 0 AND COALESCE(v.pension_fund, '') != ''""",
			chunk,
			as_dict=True,
		)
	requests = []
	for row in rows:
		channel = payment_channel("Pension Deduction", row.pension_fund)
		amount = _whole(row.amount)
		requests.append(
			JournalRequest(
				event,
				posting_date,
				[JournalLine(channel, amount, ZERO), JournalLine(role, ZERO, amount)],
				voucher_type,
				row.name,
				row.loan,
				row.member,
				row.loan_product,
			)
		)
	return post_journals(requests)


def post_refund_paid(doc) -> str:
	"""A Refund Request paid out to the member: Dr refunds payable, Cr bank = its amount, dated ``paid_on``."""
	product = frappe.db.get_value("Loan", doc.loan, "loan_product") if doc.loan else None
	return post_journal(
		"Refund",
		doc.paid_on,
		refund_lines(_whole(doc.amount)),
		doc.doctype,
		doc.name,
		doc.loan,
		doc.member,
		product,
		remarks=doc.payment_reference,
	)


def post_commission(doc, method=None) -> str | None:
	"""Sales Commission submitted (doc_events): Dr commission expense, Cr commission payable (a clawback the
	other way round), dated its ``posting_date``."""
	lines = commission_lines(_whole(doc.amount))
	if not lines:
		return None
	return post_journal(
		"Commission", doc.posting_date, lines, doc.doctype, doc.name, doc.loan, None, doc.loan_product
	)


def post_commission_paid(doc, method=None) -> str | None:
	"""Sales Commission paid (Unpaid -> Paid, doc_events on_update_after_submit): Dr commission payable, Cr
	bank (a clawback settled the other way round), dated ``paid_on``; once per commission."""
	before = doc.get_doc_before_save()
	if doc.status != "Paid" or not doc.paid_on or (before and before.status == "Paid"):
		return None
	lines = commission_paid_lines(_whole(doc.amount))
	if not lines:
		return None
	return post_journal(
		"Commission",
		doc.paid_on,
		lines,
		doc.doctype,
		doc.name,
		doc.loan,
		None,
		doc.loan_product,
		remarks=doc.payment_reference,
	)


def reverse_voucher(doc, method=None) -> list[str]:
	"""doc_events on_cancel: the mirror of the document's journals (:func:`reverse_journals`)."""
	return reverse_journals(doc.doctype, doc.name)


def post_penalty(doc) -> str | None:
	"""Manual Loan Penalty submitted: on Accrual basis Dr penalty receivable, Cr penalty income; on Cash
	basis nothing (the penalty is income when paid). Returns the journal number or None."""
	loan = _loan(doc.loan)
	lines = penalty_lines(_whole(doc.amount), basis_of(loan.loan_product))
	if not lines:
		return None
	return post_journal(
		"Penalty", doc.posting_date, lines, doc.doctype, doc.name, loan.name, loan.member, loan.loan_product
	)


def post_opening(loan: str, posting_date=None) -> str | None:
	"""The opening journal of a loan that has no journal yet: Dr principal receivable = its outstanding
	principal, Cr opening equity, dated ``posting_date`` (default: the day after the books were closed, or
	today). None when the loan has a journal or owes no principal."""
	if frappe.db.exists("Ledger Entry", {"loan": loan}):
		return None
	row = frappe.db.get_value(
		"Loan", loan, ["name", "member", "loan_product", "outstanding_principal"], as_dict=True
	)
	lines = opening_lines(_whole(row.outstanding_principal))
	if not lines:
		return None
	return post_journal(
		"Opening",
		posting_date or opening_date(),
		lines,
		"Loan",
		row.name,
		row.name,
		row.member,
		row.loan_product,
		remarks=_("Opening balance: principal outstanding before the ledger"),
	)


def opening_date() -> datetime.date:
	"""Today, or the first open day when the books are closed beyond today."""
	closed = settings()["books_closed_until"]
	today = getdate()
	return max(today, closed + datetime.timedelta(days=1)) if closed else today


__all__ = [
	"ACCRUAL",
	"CASH",
	"ZERO",
	"JournalRequest",
	"PeriodClosedError",
	"PostingError",
	"basis_of",
	"post_journal",
	"post_journals",
	"reverse_journals",
]
