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
from pinjaman_online.servicing.utils import dues_of, installment_rows
from pinjaman_online.utils import lock_row, throw_lending_error, to_money

REQUEST = "Loan Payment Request"
SETTINGS = "Borrower Settings"
SIGNATURE_HEADER = "X-Signature"


class WebhookError(frappe.ValidationError):
	"""A signed webhook we cannot use (malformed, unknown event): HTTP 400, logged."""

	http_status_code = 400


class PaymentConflict(frappe.ValidationError):
	"""A second, different transaction for a request already paid: HTTP 409, logged for Finance."""

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
	"""A Loan Payment Request as the API shows it to its borrower."""
	return {
		"payment_request": row.name,
		"loan": row.loan,
		"amount": money(row.amount),
		"status": row.status,
		"bank": row.bank,
		"va_number": row.va_number,
		"expires_on": str(row.expires_on) if row.expires_on else None,
		"paid_amount": money(row.paid_amount) if row.paid_amount else None,
		"paid_on": str(row.paid_on) if row.paid_on else None,
	}


def create_request(loan: str, amount=None) -> dict:
	"""Open a virtual account to pay ``amount`` (whole Rupiah; default the amount due now) on ``loan``.

	Errors: 404 unknown loan, 403 a loan the caller may not read, 417 a loan not Active/Default or an
	amount that is not > 0 and <= the outstanding, 503 gateway not configured or down (nothing written)."""
	from pinjaman_online.integrations.payment_gateway import create_virtual_account

	if not frappe.db.exists("Loan", loan):
		frappe.throw(_("Loan {0} not found").format(loan), frappe.DoesNotExistError)
	doc = frappe.get_doc("Loan", loan)
	doc.check_permission("read")
	if doc.status not in OWED_LOAN_STATUSES:
		frappe.throw(
			_("Loan {0} is {1}: it takes no payments").format(loan, _(doc.status)), title=_("Cannot pay")
		)
	try:
		value = request_amount(amount, loan_bill(loan))
	except LendingError as exc:
		throw_lending_error(exc, _("Invalid amount"))
	settings = frappe.get_single(SETTINGS)  # fresh: see integrations/base.py
	external_id = f"PR-{frappe.generate_hash(length=12).upper()}"
	expires_at = add_to_date(now_datetime(), hours=int(settings.payment_request_hours or 24))
	va = create_virtual_account(
		external_id, value, settings.payment_default_bank or "BNI", doc.member_name or doc.member, expires_at
	)
	request = frappe.get_doc(
		{
			"doctype": REQUEST,
			"external_id": external_id,
			"loan": loan,
			"member": doc.member,
			"user": frappe.session.user,
			"amount": value,
			"status": "Pending",
			"gateway_reference": va.reference,
			"bank": va.bank,
			"va_number": va.va_number,
			"expires_on": va.expires_at or expires_at,
		}
	)
	request.insert(ignore_permissions=True)
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
	notes = []
	if received != to_money(request.amount):
		notes.append(_("Received Rp {0}, requested Rp {1}").format(received, to_money(request.amount)))
	if excess > 0:
		notes.append(_("Rp {0} above what the loan owed was not posted: refund it").format(excess))
	frappe.db.set_value(
		REQUEST,
		request.name,
		{
			"status": "Paid",
			"transaction_id": transaction_id,
			"paid_amount": received,
			"paid_on": _paid_on(paid_at),
			"loan_payment": payment,
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


def _paid_on(paid_at):
	try:
		return frappe.utils.get_datetime(str(paid_at)[:19].replace("T", " ")) if paid_at else now_datetime()
	except (ValueError, TypeError):
		return now_datetime()
