"""Helpers that the app's print formats call from Jinja (hooks.py ``jinja``; templates in
``templates/print/`` and each module's ``print_format/``).

A print format can be rendered from a document that the client sent rather than a stored one
(``frappe.www.printview.get_html_and_style`` accepts a JSON document), so every record a template follows by
name is loaded from the database and checked here against the session user's read (or print) permission:
:func:`record` raises ``frappe.PermissionError`` otherwise.
"""

import base64
import mimetypes
from decimal import Decimal

import frappe
from frappe import _

from pinjaman_online.lending.money import ZERO
from pinjaman_online.printing.words import whole_rupiah


def record(doctype: str, name: str):
	"""The stored ``doctype`` record ``name`` when the session user may read or print it.

	Raises ``frappe.PermissionError`` (HTTP 403) otherwise and ``frappe.DoesNotExistError`` (404) for an
	unknown name."""
	doc = frappe.get_doc(doctype, name)
	if not (frappe.has_permission(doctype, "read", doc) or frappe.has_permission(doctype, "print", doc)):
		raise frappe.PermissionError(_("You do not have permission to view this document"))
	return doc


def cooperative() -> dict:
	"""The cooperative's identity for a letterhead, from *Pinjaman Online Settings*: ``name``,
	``legal_entity_number``, ``address``, ``city``, ``phone``, ``email``, ``signatory_name``,
	``signatory_title`` (text, possibly empty) and ``logo`` (the image as a ``data:`` URI, or empty text), so
	the PDF renderer fetches nothing over the network."""
	settings = frappe.get_cached_doc("Pinjaman Online Settings")
	return {
		"name": settings.get("cooperative_name") or "",
		"legal_entity_number": settings.get("cooperative_legal_entity_number") or "",
		"address": settings.get("cooperative_address") or "",
		"city": settings.get("cooperative_city") or "",
		"phone": settings.get("cooperative_phone") or "",
		"email": settings.get("cooperative_email") or "",
		"signatory_name": settings.get("signatory_name") or "",
		"signatory_title": settings.get("signatory_title") or "",
		"logo": _image_data_uri(settings.get("cooperative_logo")),
	}


def _image_data_uri(file_url: str | None) -> str:
	if not file_url:
		return ""
	mime = mimetypes.guess_type(file_url)[0]
	if not mime or not mime.startswith("image/"):
		return ""
	try:
		content = frappe.get_doc("File", {"file_url": file_url}).get_content()
	except (frappe.DoesNotExistError, OSError):
		frappe.logger("pinjaman_online").warning("letterhead logo %s could not be read", file_url)
		return ""
	if isinstance(content, str):
		content = content.encode()
	return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def _money(value) -> Decimal:
	return whole_rupiah(value)


def loan_schedule(loan: str) -> dict:
	"""The live installments of ``loan`` (cancelled rows of a restructure left out), oldest first, and their
	totals: ``{"rows": [{"installment_number", "due_date", "principal", "interest", "total", "balance_after",
	"paid", "status"}], "principal", "interest", "total"}``; amounts are whole-Rupiah ``Decimal``. Checks the
	loan's read permission (:func:`record`)."""
	record("Loan", loan)
	rows = frappe.get_all(
		"Loan Installment",
		filters={"loan": loan, "status": ("!=", "Cancelled")},
		fields=[
			"installment_number",
			"due_date",
			"principal_amount",
			"interest_amount",
			"total_amount",
			"balance_after",
			"principal_paid",
			"interest_paid",
			"penalty_paid",
			"status",
		],
		order_by="due_date asc, installment_number asc",
	)
	out = {"rows": [], "principal": ZERO, "interest": ZERO, "total": ZERO}
	for r in rows:
		row = {
			"installment_number": r.installment_number,
			"due_date": r.due_date,
			"principal": _money(r.principal_amount),
			"interest": _money(r.interest_amount),
			"total": _money(r.total_amount),
			"balance_after": _money(r.balance_after),
			"paid": _money(r.principal_paid) + _money(r.interest_paid) + _money(r.penalty_paid),
			"status": r.status,
		}
		out["rows"].append(row)
		out["principal"] += row["principal"]
		out["interest"] += row["interest"]
		out["total"] += row["total"]
	return out


def loan_fees(loan: str) -> list[dict]:
	"""The fees of ``loan`` line by line: ``[{"fee_type", "amount", "deducted"}]`` computed from its product's
	fee rules (the rules the booking used). Empty when the product's fees no longer add up to the loan's
	stored ``total_fees`` (the product changed since): the document then prints the total alone. Checks the
	loan's read permission."""
	from pinjaman_online.lending.fees import compute_fee
	from pinjaman_online.products.utils import fee_rules

	doc = record("Loan", loan)
	if not doc.loan_product or not frappe.db.exists("Loan Product", doc.loan_product):
		return []
	principal = _money(doc.principal)
	lines = [
		{
			"fee_type": rule.fee_type,
			"amount": compute_fee(rule, principal),
			"deducted": rule.deduct_from_disbursement,
		}
		for rule in fee_rules(frappe.get_cached_doc("Loan Product", doc.loan_product))
	]
	if sum((line["amount"] for line in lines), ZERO) != _money(doc.total_fees):
		return []
	return lines


def loan_payments(loan: str) -> list[dict]:
	"""The submitted payments of ``loan``, oldest first: ``[{"name", "posting_date", "amount",
	"payment_method", "reference_no"}]`` (amount a whole-Rupiah ``Decimal``). Checks the loan's read
	permission."""
	record("Loan", loan)
	rows = frappe.get_all(
		"Loan Payment",
		filters={"loan": loan, "docstatus": 1},
		fields=["name", "posting_date", "amount", "payment_method", "reference_no"],
		order_by="posting_date asc, creation asc",
	)
	for r in rows:
		r["amount"] = _money(r.amount)
	return rows


def member_bank_account(member: str) -> dict:
	"""The member's default bank account (else the first): ``{"bank_name", "account_number",
	"account_holder"}``, empty values when the member has none. Checks the member's read permission."""
	doc = record("Member", member)
	accounts = doc.get("bank_accounts") or []
	account = next((a for a in accounts if a.is_default), accounts[0] if accounts else None)
	if not account:
		return {"bank_name": "", "account_number": "", "account_holder": ""}
	return {
		"bank_name": account.bank_name or "",
		"account_number": account.account_number or "",
		"account_holder": account.account_holder or "",
	}


def loan_product_terms(loan: str) -> dict:
	"""The terms a loan agreement quotes from the loan's product: ``early_settlement_penalty`` (percent of
	the outstanding principal), and its penalty rule's ``penalty_rule`` (name or empty), ``grace_days``,
	``daily_rate`` (percent of the unpaid installment per day) and ``cap_percent`` (percent of the
	installment). Checks the loan's read permission."""
	doc = record("Loan", loan)
	terms = {
		"early_settlement_penalty": 0,
		"penalty_rule": "",
		"grace_days": 0,
		"daily_rate": 0,
		"cap_percent": 0,
	}
	if not doc.loan_product or not frappe.db.exists("Loan Product", doc.loan_product):
		return terms
	product = frappe.get_cached_doc("Loan Product", doc.loan_product)
	terms["early_settlement_penalty"] = product.early_settlement_penalty or 0
	if product.penalty_rule and frappe.db.exists("Penalty Rule", product.penalty_rule):
		rule = frappe.get_cached_doc("Penalty Rule", product.penalty_rule)
		if not rule.enabled:
			return terms
		terms.update(
			penalty_rule=rule.name,
			grace_days=rule.grace_days or 0,
			daily_rate=rule.daily_rate or 0,
			cap_percent=rule.cap_percent or 0,
		)
	return terms
