"""Payment gateway adapter (borrower repayments by virtual account).

Contract with the gateway:

* create a virtual account: ``POST <payment_gateway_base_url>/virtual-accounts`` with JSON
  ``{"external_id": <our request id>, "amount": <whole Rupiah>, "bank": "BNI", "name": <account name>,
  "expires_at": <ISO 8601>}`` and ``Authorization: Bearer <payment_gateway_api_key>`` → 2xx JSON
  ``{"id": <gateway reference>, "bank": …, "va_number": …, "expires_at": <ISO 8601>}``;
* webhook (gateway → us, ``api/mobile_payments.payment_webhook``): JSON ``{"event": "payment.paid" |
  "payment.expired" | "payment.failed", "reference": <gateway reference>, "external_id": …,
  "transaction_id": …, "amount": <whole Rupiah>, "paid_at": <ISO 8601>}``, header ``X-Signature`` = hex
  HMAC-SHA256 of the raw body with Borrower Settings' payment webhook secret
  (:func:`pinjaman_online.lending.payments.webhook_signature`).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import frappe
from frappe import _

from pinjaman_online.integrations.base import Provider, post_json


class PaymentGatewayError(frappe.ValidationError):
	"""The gateway could not be reached or refused: HTTP 503 to the borrower, who may retry."""

	http_status_code = 503


GATEWAY = Provider(
	"Payment gateway", "payment_gateway_base_url", "payment_gateway_api_key", PaymentGatewayError
)


@dataclass(frozen=True)
class VirtualAccount:
	"""A virtual account opened by the gateway for one payment request."""

	reference: str
	bank: str
	va_number: str
	expires_at: datetime | None


def create_virtual_account(
	external_id: str, amount: Decimal, bank: str, name: str, expires_at: datetime
) -> VirtualAccount:
	"""Ask the gateway for a virtual account receiving ``amount`` (whole Rupiah) until ``expires_at``.
	Raises :class:`PaymentGatewayError` (503) when the gateway is not configured, down, refuses, or answers
	without an id and account number (all logged in Error Log)."""
	failure = _("The payment service is not available right now; please try again in a few minutes")
	answer = post_json(
		GATEWAY,
		"/virtual-accounts",
		{
			"external_id": external_id,
			"amount": int(amount),
			"bank": bank,
			"name": name,
			"expires_at": expires_at.isoformat(),
		},
		failure=failure,
		log_context=f"virtual account for {external_id}",
	)
	if not answer.get("id") or not answer.get("va_number"):
		frappe.log_error(
			title=GATEWAY.title, message=f"no id/va_number for {external_id}: {answer}", defer_insert=True
		)
		frappe.throw(failure, exc=PaymentGatewayError)
	expiry = answer.get("expires_at")
	return VirtualAccount(
		reference=str(answer["id"]),
		bank=str(answer.get("bank") or bank),
		va_number=str(answer["va_number"]),
		expires_at=frappe.utils.get_datetime(expiry[:19].replace("T", " ")) if expiry else None,
	)
