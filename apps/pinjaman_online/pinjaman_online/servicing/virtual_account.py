"""Borrower bills and repayment through the payment gateway (seed 002 §8.2 ``GET /api/v1/billing``; seed 001
"Pembayaran/Pelunasan": Mobile → Payment Service → Payment Gateway → Update DB).

* Bills: per active loan, the unpaid installments classified Overdue / Due / Upcoming with what is left of
  principal, interest and penalty (rules in :mod:`pinjaman_online.lending.payments`).
* Payment request: the borrower picks a loan and an amount (default: amount due now; at most the
  outstanding); the gateway opens a virtual account; a Loan Payment Request (Pending) records it. The gateway
  is called before anything is written, so a gateway failure leaves nothing behind (HTTP 503).
* Webhook: signature checked (HMAC-SHA256 of the raw body, constant-time); the request's row is locked and
  the delivery is matched on the gateway reference; ONE Loan Payment is posted (method Payment Gateway,
  reference = gateway transaction id, ``source_key`` ``pg:<transaction id>`` — a unique column). A repeated
  delivery, even concurrent, waits for the lock, finds the request Paid with the same transaction and answers
  the same result. Money above what the loan owes is not posted: it is kept on the request as
  ``excess_amount`` (needs review, refund by Finance). ``PaymentReceived`` is published after the commit.
* Early settlement (seed 001 "Pelunasan", seed 004 §4 "Pelunasan dipercepat"): the payoff quote is the one
  staff get (``servicing.changes.payoff_for``: outstanding principal, interest accrued to the date, unpaid
  penalties, the product's early-settlement fee; later interest waived). It is valid on its date only; a
  settlement request must name the quote's date and total (409 ``QUOTE_EXPIRED`` / ``QUOTE_CHANGED``
  otherwise) and opens a virtual account for exactly that total, expiring at the end of the quote's date.
  Its paid webhook submits a Loan Settlement (the loan closes, the waived interest is never collected) when
  the amount received covers the payoff on the payment date; anything less is posted as an ordinary payment
  and flagged for review. An ordinary payment request for the whole outstanding instead pays every
  installment as scheduled, future interest included.
"""

import json
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import add_to_date, getdate, now_datetime, today
from frappe.utils.password import get_decrypted_password

from pinjaman_online.lending.errors import LendingError
from pinjaman_online.lending.payments import Bill, bill_of, request_amount, signature_valid, split_received
from pinjaman_online.origination.utils import OWED_LOAN_STATUSES
from pinjaman_online.permissions import can_read_record
from pinjaman_online.servicing.utils import dues_of, installment_rows
from pinjaman_online.utils import lock_row, throw_lending_error, to_money

REQUEST = "Loan Payment Request"
SETTINGS = "Borrower Settings"
SIGNATURE_HEADER = "X-Signature"
INSTALLMENT = "Installment"
SETTLEMENT = "Early Settlement"


class WebhookError(frappe.ValidationError):
	"""A signed webhook we cannot use (malformed, unknown event): HTTP 400, logged."""

	http_status_code = 400


class PaymentConflict(frappe.ValidationError):
	"""A second, different transaction for a request already paid: HTTP 409, logged for Finance."""

	http_status_code = 409


class QuoteConflict(frappe.ValidationError):
	"""A settlement asked for with a payoff quote that is no longer today's (expired, or the total changed):
	HTTP 409 with ``code`` ``QUOTE_EXPIRED`` or ``QUOTE_CHANGED``; the client asks for a new quote."""

	http_status_code = 409


def money(value) -> str:
	"""A Currency value as the API's string of whole Rupiah (``"1500000"``)."""
	return str(to_money(value))


# ---------------------------------------------------------------- bills


def loan_bill(loan: str, as_of=None) -> Bill:
	"""The bill of ``loan`` as of ``as_of`` (default today)."""
	return bill_of(dues_of(installment_rows(loan)), getdate(as_of or today()))


def bill_summary(loan: dict, bill: Bill, upcoming: int) -> dict:
	"""One loan of ``GET /billing``: totals (Rupiah strings) and its overdue, due and first ``upcoming``
	upcoming installments."""
	lines, shown = [], 0
	for ln in bill.lines:
		if ln.status == "Upcoming":
			if shown >= upcoming:
				continue
			shown += 1
		lines.append(
			{
				"installment_number": ln.number,
				"due_date": str(ln.due_date),
				"status": ln.status,
				"principal": str(ln.principal),
				"interest": str(ln.interest),
				"penalty": str(ln.penalty),
				"total": str(ln.total),
			}
		)
	return {
		"loan": loan["name"],
		"loan_product": loan["loan_product"],
		"status": loan["status"],
		"repayment_method": loan["repayment_method"],
		"installment_amount": money(loan["installment_amount"]),
		"overdue_amount": str(bill.overdue_amount),
		"current_amount": str(bill.current_amount),
		"amount_due": str(bill.amount_due),
		"outstanding": str(bill.outstanding),
		"next_due_date": str(bill.next_due_date) if bill.next_due_date else None,
		"days_past_due": bill.days_past_due,
		"installments": lines,
	}


def bills(upcoming: int = 3) -> dict:
	"""The caller's bills: every Active/Default loan they may read (a borrower: their own, through the
	permission hooks), with ``total_due_now`` and the earliest ``next_due_date`` across them."""
	as_of = getdate(today())
	loans = frappe.get_list(
		"Loan",
		filters={"status": ("in", OWED_LOAN_STATUSES)},
		fields=["name", "loan_product", "status", "repayment_method", "installment_amount"],
		order_by="creation asc",
	)
	out, total, next_due = [], Decimal(0), None
	for loan in loans:
		bill = loan_bill(loan["name"], as_of)
		out.append(bill_summary(loan, bill, max(int(upcoming), 0)))
		total += bill.amount_due
		if bill.next_due_date and (next_due is None or bill.next_due_date < next_due):
			next_due = bill.next_due_date
	return {
		"as_of": str(as_of),
		"total_due_now": str(total),
		"next_due_date": str(next_due) if next_due else None,
		"loans": out,
	}


# ---------------------------------------------------------------- payment requests


def request_summary(row) -> dict:
	"""A Loan Payment Request as the API shows it to its borrower. ``purpose`` Installment or Early
	Settlement; a settlement request adds its ``quote`` (Rupiah strings, see :func:`quote_summary`) and, once
	paid, its ``loan_settlement``."""
	out = {
		"payment_request": row.name,
		"loan": row.loan,
		"purpose": row.get("purpose") or INSTALLMENT,
		"amount": money(row.amount),
		"status": row.status,
		"bank": row.bank,
		"va_number": row.va_number,
		"expires_on": str(row.expires_on) if row.expires_on else None,
		"paid_amount": money(row.paid_amount) if row.paid_amount else None,
		"paid_on": str(row.paid_on) if row.paid_on else None,
	}
	if out["purpose"] == SETTLEMENT:
		out["quote"] = {
			"as_of": str(row.quote_date),
			"principal": money(row.quote_principal),
			"interest": money(row.quote_interest),
			"penalty": money(row.quote_penalty),
			"early_settlement_fee": money(row.quote_fee),
			"waived_interest": money(row.quote_waived_interest),
			"total": money(row.amount),
		}
		out["loan_settlement"] = row.get("loan_settlement") or None
	return out


def _payable_loan(loan: str):
	"""The Loan ``loan`` when the caller may read it and it takes payments (Active or Default).

	Errors: 404 unknown loan or a loan the caller may not read (the same answer: another member's loan number
	is not confirmed to exist), 417 a loan not Active/Default."""
	if not can_read_record("Loan", loan):
		frappe.throw(_("Loan {0} not found").format(loan), frappe.DoesNotExistError)
	doc = frappe.get_doc("Loan", loan)
	if doc.status not in OWED_LOAN_STATUSES:
		frappe.throw(
			_("Loan {0} is {1}: it takes no payments").format(loan, _(doc.status, context="Loan")),
			title=_("Cannot pay"),
		)
	return doc


def _open_virtual_account(doc, value: Decimal, expires_at, fields: dict):
	"""Ask the gateway for a virtual account of ``value`` Rupiah on loan ``doc`` expiring at ``expires_at``
	(a datetime), then record the Pending Loan Payment Request with ``fields``. The gateway is called before
	anything is written: its failure (503) leaves nothing behind."""
	from pinjaman_online.integrations.payment_gateway import create_virtual_account

	settings = frappe.get_single(SETTINGS)  # fresh: see integrations/base.py
	external_id = f"PR-{frappe.generate_hash(length=12).upper()}"
	va = create_virtual_account(
		external_id, value, settings.payment_default_bank or "BNI", doc.member_name or doc.member, expires_at
	)
	request = frappe.get_doc(
		{
			"doctype": REQUEST,
			"external_id": external_id,
			"loan": doc.name,
			"member": doc.member,
			"user": frappe.session.user,
			"amount": value,
			"status": "Pending",
			"gateway_reference": va.reference,
			"bank": va.bank,
			"va_number": va.va_number,
			"expires_on": va.expires_at or expires_at,
			**fields,
		}
	)
	request.insert(ignore_permissions=True)
	return request


def _request_hours() -> int:
	return int(frappe.db.get_single_value(SETTINGS, "payment_request_hours") or 24)


def create_request(loan: str, amount=None) -> dict:
	"""Open a virtual account to pay ``amount`` (whole Rupiah; default the amount due now) on ``loan``. The
	amount is allocated to the schedule as it stands: paying the whole outstanding this way pays every
	installment's scheduled interest, future periods included (an early settlement waives it:
	:func:`create_settlement_request`).

	Errors: 404 unknown loan, 403 a loan the caller may not read, 417 a loan not Active/Default or an
	amount that is not > 0 and <= the outstanding, 503 gateway not configured or down (nothing written)."""
	doc = _payable_loan(loan)
	try:
		value = request_amount(amount, loan_bill(loan))
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid amount"))
	expires_at = add_to_date(now_datetime(), hours=_request_hours())
	return request_summary(_open_virtual_account(doc, value, expires_at, {"purpose": INSTALLMENT}))


# ---------------------------------------------------------------- early settlement


def quote_summary(loan: str, quote, outstanding: Decimal) -> dict:
	"""The payoff ``quote`` (lending.payoff.PayoffQuote) of ``loan`` as the API shows it: Rupiah strings,
	``valid_until`` (end of the quote's date, site time) and ``outstanding`` (every unpaid installment as
	scheduled, future interest included: what a plain payment of everything would cost)."""
	return {
		"loan": loan,
		**quote.as_dict(),
		"valid_until": f"{quote.as_of.isoformat()} 23:59:59",
		"outstanding": str(outstanding),
	}


def settlement_quote(loan: str) -> dict:
	"""Today's payoff quote of the caller's ``loan`` (see :func:`quote_summary`); the same figures staff get
	from ``api.servicing.payoff``. Errors: 404, 403, 417 as :func:`create_request`."""
	from pinjaman_online.servicing.changes import payoff_for

	_payable_loan(loan)
	on = getdate(today())
	quote = payoff_for(loan, on)[0]
	return quote_summary(loan, quote, loan_bill(loan, on).outstanding)


def _quote_conflict(code: str, message: str):
	frappe.local.response["code"] = code
	frappe.throw(message, QuoteConflict, title=_("Ask for a new payoff quote"))


def create_settlement_request(loan: str, amount: Decimal, as_of) -> dict:
	"""Open a virtual account for the early settlement of ``loan`` at the quote of ``as_of`` (must be today)
	whose total is ``amount`` (whole Rupiah, must be today's payoff). The account expires at the end of the
	quote's date (or earlier, after Borrower Settings' request hours). Asking again for the same quote
	returns the Pending request already opened (no second virtual account).

	Errors: 404, 403, 417 as :func:`create_request`; 409 ``QUOTE_EXPIRED`` (``as_of`` is not today) or
	``QUOTE_CHANGED`` (``amount`` is not today's payoff); 503 gateway down (nothing written)."""
	from pinjaman_online.servicing.changes import payoff_for

	doc = _payable_loan(loan)
	on = getdate(today())
	if getdate(as_of) != on:
		_quote_conflict(
			"QUOTE_EXPIRED",
			_("The payoff quote of {0} has expired: ask for today's quote").format(
				frappe.format(getdate(as_of), "Date")
			),
		)
	quote = payoff_for(loan, on)[0]
	if to_money(amount) != quote.total:
		_quote_conflict(
			"QUOTE_CHANGED",
			_("The payoff today is Rp {0}, not Rp {1}: ask for a new quote").format(
				quote.total, to_money(amount)
			),
		)
	open_request = frappe.db.get_value(
		REQUEST,
		{
			"loan": loan,
			"user": frappe.session.user,
			"purpose": SETTLEMENT,
			"status": "Pending",
			"quote_date": on,
			"amount": quote.total,
			"expires_on": (">", now_datetime()),
		},
		"*",
		as_dict=True,
	)
	if open_request:
		return request_summary(open_request)
	end_of_day = frappe.utils.get_datetime(f"{on.isoformat()} 23:59:59")
	expires_at = min(add_to_date(now_datetime(), hours=_request_hours()), end_of_day)
	request = _open_virtual_account(
		doc,
		quote.total,
		expires_at,
		{
			"purpose": SETTLEMENT,
			"quote_date": on,
			"quote_principal": quote.principal,
			"quote_interest": quote.interest,
			"quote_penalty": quote.penalty,
			"quote_fee": quote.fee,
			"quote_waived_interest": quote.waived_interest,
		},
	)
	return request_summary(request)


def get_request(name: str) -> dict:
	"""The caller's own payment request (404 for anyone else's)."""
	row = frappe.db.get_value(REQUEST, name, "*", as_dict=True)
	if not row or row.user != frappe.session.user:
		frappe.throw(_("Payment request {0} not found").format(name), frappe.DoesNotExistError)
	return request_summary(row)


# ---------------------------------------------------------------- webhook


def _refuse(title: str, message: str, exc, detail: str):
	"""Log (kept although the request fails) and answer an error."""
	frappe.log_error(title=title, message=detail)
	frappe.db.commit()  # nosemgrep: only the Error Log was written
	frappe.throw(message, exc)


def webhook_result(name: str) -> dict:
	"""What the webhook answers for a handled delivery: the same for every delivery of one transaction.

	A locking read: a plain one could return this transaction's older snapshot, from before a concurrent
	delivery committed while we waited for the row."""
	row = frappe.db.get_value(REQUEST, name, "*", as_dict=True, for_update=True)
	received = to_money(row.paid_amount)
	excess = to_money(row.excess_amount)
	return {
		"payment_request": row.name,
		"status": row.status,
		"transaction_id": row.transaction_id,
		"loan": row.loan,
		"loan_payment": row.loan_payment,
		"loan_settlement": row.loan_settlement,
		"amount_received": str(received),
		"amount_posted": str(received - excess),
		"excess_amount": str(excess),
	}


def _lock_request(reference: str) -> dict | None:
	"""The request of a gateway reference, locked FOR UPDATE (a locking read sees the latest commit)."""
	pr = frappe.qb.DocType(REQUEST)
	rows = (
		frappe.qb.from_(pr)
		.select("*")
		.where(pr.gateway_reference == reference)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows else None


def handle_webhook(body: bytes, signature: str | None) -> dict:
	"""Handle one gateway webhook delivery (raw ``body``, header ``signature``); see the module docstring.

	Errors: 401 bad or missing signature (logged, nothing written), 400 malformed or unknown event, 404
	unknown reference, 409 another transaction on a paid request (logged)."""
	ip = getattr(frappe.local, "request_ip", None)
	secret = get_decrypted_password(SETTINGS, SETTINGS, "payment_webhook_secret", False) or ""
	if not signature_valid(secret, body, signature):
		_refuse(
			"Payment webhook: bad signature",
			_("Invalid webhook signature"),
			frappe.AuthenticationError,
			f"from {ip}; {SIGNATURE_HEADER}={signature!r}; body: {body[:1000]!r}",
		)
	try:
		data = json.loads(body)
	except ValueError:
		data = None
	if not isinstance(data, dict):
		_refuse(
			"Payment webhook: malformed",
			_("Webhook body is not a JSON object"),
			WebhookError,
			repr(body[:1000]),
		)
	event = data.get("event")
	reference = str(data.get("reference") or "")
	request = _lock_request(reference) if reference else None
	if not request:
		_refuse(
			"Payment webhook: unknown reference",
			_("Unknown payment reference {0}").format(reference),
			frappe.DoesNotExistError,
			json.dumps(data),
		)
	if data.get("external_id") and data["external_id"] != request.external_id:
		_refuse(
			"Payment webhook: mismatch",
			_("The webhook's external id does not match reference {0}").format(reference),
			WebhookError,
			json.dumps(data),
		)
	if event in ("payment.expired", "payment.failed"):
		if request.status == "Pending":
			status = "Expired" if event == "payment.expired" else "Failed"
			frappe.db.set_value(REQUEST, request.name, "status", status)
		return webhook_result(request.name)
	if event != "payment.paid":
		_refuse(
			"Payment webhook: unknown event",
			_("Unknown event {0}").format(event),
			WebhookError,
			json.dumps(data),
		)
	transaction_id = str(data.get("transaction_id") or "").strip()
	try:
		received = Decimal(str(data.get("amount")))
		well_formed = bool(
			transaction_id
			and received.is_finite()
			and received > 0
			and received == received.to_integral_value()
		)
	except (ArithmeticError, ValueError, TypeError):
		well_formed = False
	if not well_formed:
		_refuse(
			"Payment webhook: malformed",
			_("A paid webhook needs a transaction_id and a positive whole amount"),
			WebhookError,
			json.dumps(data),
		)

	if request.status == "Paid":
		if request.transaction_id == transaction_id:
			return webhook_result(request.name)  # the same delivery again: nothing more is posted
		_refuse(
			"Payment webhook: second payment",
			_("Payment request {0} is already paid by another transaction").format(request.name),
			PaymentConflict,
			json.dumps(data),
		)

	post_payment(request, transaction_id, received, data.get("paid_at"))
	return webhook_result(request.name)


def post_payment(request: dict, transaction_id: str, received: Decimal, paid_at=None):
	"""Post ``received`` (whole Rupiah) on the locked ``request``'s loan — at most what the loan owes —
	mark the request Paid and publish PaymentReceived. The webhook's caller is Guest: the posting runs as
	Administrator, after the signature was verified."""
	previous = frappe.session.user
	frappe.set_user("Administrator")
	try:
		_post_payment(request, transaction_id, received, paid_at)
	finally:
		frappe.set_user(previous)


def _post_payment(request: dict, transaction_id: str, received: Decimal, paid_at=None):
	from pinjaman_online.borrower import events

	loan = request.loan
	lock_row("Loan", loan)
	status = frappe.db.get_value("Loan", loan, "status", for_update=True)
	paid_on = _paid_on(paid_at)
	notes, settlement = [], None
	if received != to_money(request.amount):
		notes.append(_("Received Rp {0}, requested Rp {1}").format(received, to_money(request.amount)))
	if request.get("purpose") == SETTLEMENT and status in OWED_LOAN_STATUSES:
		settlement, payment, posted, excess, note = _settle(request, transaction_id, received, paid_on)
		if note:
			notes.append(note)
	if not settlement:
		payment, posted, excess = _post_loan_payment(loan, status, transaction_id, received)
	if excess > 0:
		notes.append(_("Rp {0} above what the loan owed was not posted: refund it").format(excess))
	frappe.db.set_value(
		REQUEST,
		request.name,
		{
			"status": "Paid",
			"transaction_id": transaction_id,
			"paid_amount": received,
			"paid_on": paid_on,
			"loan_payment": payment,
			"loan_settlement": settlement,
			"excess_amount": excess,
			"needs_review": 1 if notes else 0,
			"review_note": "; ".join(notes) or None,
		},
	)
	if notes:
		frappe.get_doc(REQUEST, request.name).add_comment("Info", "; ".join(notes))
	if payment and posted > 0:
		events.publish(
			"PaymentReceived",
			{"user_id": request.user, "loan": loan, "payment": payment, "amount": str(posted)},
		)


def _post_loan_payment(loan: str, status: str, transaction_id: str, received: Decimal):
	"""Post ``received`` on the locked ``loan`` as one Loan Payment (at most what it owes): (payment name
	or None, Rupiah posted, Rupiah not posted)."""
	owed = sum((d.total_due for d in dues_of(installment_rows(loan, for_update=True))), Decimal(0))
	posted, excess = split_received(received, owed if status in OWED_LOAN_STATUSES else Decimal(0))
	source_key = f"pg:{transaction_id}"
	payment = frappe.db.get_value("Loan Payment", {"source_key": source_key, "docstatus": 1}, "name")
	if not payment and posted > 0:
		doc = frappe.get_doc(
			{
				"doctype": "Loan Payment",
				"loan": loan,
				"amount": posted,
				"payment_method": "Payment Gateway",
				"reference_no": transaction_id,
				"source_key": source_key,
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		doc.submit()
		payment = doc.name
	return payment, posted, excess


def settlement_date(quote_date, paid_on, on=None):
	"""The date a paid settlement request settles on: the payment's date, but never before the quote's
	date (a payment the gateway reports late keeps its quote) nor after ``on`` (today)."""
	on = getdate(on or today())
	return min(max(getdate(quote_date), getdate(paid_on)), on)


def _settle(request: dict, transaction_id: str, received: Decimal, paid_on):
	"""Settle the locked loan of a paid settlement ``request`` when ``received`` covers the payoff on the
	settlement date: (Loan Settlement, its Loan Payment, Rupiah posted, Rupiah above the payoff, note or
	None). Less than the payoff settles nothing: (None, None, 0, 0, note) and the caller posts it as an
	ordinary payment."""
	from pinjaman_online.servicing.changes import payoff_for

	loan = request.loan
	on = settlement_date(request.quote_date, paid_on)
	quote = payoff_for(loan, on)[0]
	if received < quote.total:
		note = _(
			"Rp {0} received is less than the payoff of Rp {1} on {2}: posted as an ordinary payment, the loan is not settled"
		).format(received, quote.total, frappe.format(on, "Date"))
		return None, None, Decimal(0), Decimal(0), note
	doc = frappe.get_doc(
		{
			"doctype": "Loan Settlement",
			"loan": loan,
			"settlement_date": on,
			"settled_by": "Member",
			"reference_no": transaction_id,
		}
	)
	doc.flags.ignore_permissions = True
	doc.flags.payment_method = "Payment Gateway"
	doc.insert()
	doc.submit()
	note = None
	if quote.total != to_money(request.amount):
		note = _("The payoff on {0} was Rp {1} (quoted Rp {2} on {3})").format(
			frappe.format(on, "Date"),
			quote.total,
			to_money(request.amount),
			frappe.format(getdate(request.quote_date), "Date"),
		)
	return doc.name, doc.loan_payment, quote.total, received - quote.total, note


def _paid_on(paid_at):
	try:
		return frappe.utils.get_datetime(str(paid_at)[:19].replace("T", " ")) if paid_at else now_datetime()
	except (ValueError, TypeError):
		return now_datetime()
