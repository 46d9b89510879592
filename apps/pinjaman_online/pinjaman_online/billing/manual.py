"""Manual reconciliation of an exception (seed 004 §7 flow step 5, ``POST /billing/reconcile/{id}``).

Three ways to resolve an open *Reconciliation Exception*, each recorded on it (who, when, how):

* ``post``: the deduction belongs to a loan: a Loan Payment is submitted through the document (all its
  checks), for the deducted amount or less, capped at what the loan still owes; whatever is not posted
  becomes a Refund Request. ``source_key`` is the import line's name, so the line is still posted at most
  once. What it realised on the export lines of that loan and period is recorded as Pension Cut Realisation
  rows of the payment.
* ``refund``: the money goes back to a member as a Refund Request (e.g. deducted from someone without a loan).
* ``dismiss``: nothing moves (e.g. the fund corrected the line itself); a reason is required.
"""

import frappe
from frappe import _
from frappe.utils import getdate, now

from pinjaman_online.accounting.posting import reverse_journals
from pinjaman_online.billing.reconciliation import (
	ZERO,
	Realisation,
	bills_of,
	refresh_counters,
	write_realisations,
)
from pinjaman_online.lending.matching import split_postings
from pinjaman_online.monitoring import resolve_reconciliation
from pinjaman_online.permissions import write_as_system
from pinjaman_online.servicing.utils import loan_outstanding
from pinjaman_online.utils import to_money

ACTIONS = ("post", "refund", "dismiss")


class ReconcileError(frappe.ValidationError):
	pass


def reconcile_exception(
	exception: str,
	action: str,
	loan: str | None = None,
	amount=None,
	member: str | None = None,
	reason: str | None = None,
) -> dict:
	"""Resolve an open exception by ``action`` (module docstring); returns the exception's new values."""
	if action not in ACTIONS:
		frappe.throw(_("Action must be one of {0}").format(", ".join(ACTIONS)), exc=ReconcileError)
	frappe.db.get_value("Reconciliation Exception", exception, "name", for_update=True)
	x = frappe.get_doc("Reconciliation Exception", exception)
	x.check_permission("write")
	if x.status != "Open":
		frappe.throw(
			_("Exception {0} is already {1} ({2})").format(exception, x.status, x.resolution),
			exc=ReconcileError,
		)
	line = frappe.get_doc("Pension Cut Import Line", x.import_line) if x.import_line else None
	values = {"status": "Resolved", "resolved_by": frappe.session.user, "resolved_on": now()}
	if action == "post":
		values.update(_post(x, line, loan, amount, reason))
	elif action == "refund":
		values.update(_refund(x, line, member, amount, reason))
	else:
		if not (reason or "").strip():
			frappe.throw(_("Give the reason for dismissing the exception"), exc=ReconcileError)
		values.update(resolution="Dismissed", resolution_note=reason.strip())
	x.update(values)
	x.flags.ignore_permissions = True  # write permission was checked above; the fields are read-only
	x.save()
	reverse_journals(x.doctype, x.name)  # ledger: the deduction leaves suspense (posted, refunded, dismissed)
	if line:
		refresh_counters(line.cut_import)
	resolve_reconciliation(x.cut_import)  # the import's entry in the Exception Log, once nothing is left open
	return {k: x.get(k) for k in ("name", "status", "resolution", "loan", "loan_payment", "refund_request",
		"resolution_note", "resolved_by")}  # fmt: skip


def _post(x, line, loan, amount, reason) -> dict:
	member = x.member
	loan = loan or x.loan or _only_active_loan(member)
	if not loan:
		frappe.throw(_("Name the loan to post this deduction on"), exc=ReconcileError)
	loan_doc = frappe.get_doc("Loan", loan)
	if member and loan_doc.member != member:
		frappe.throw(
			_("Loan {0} belongs to member {1}, not to {2}").format(loan, loan_doc.member, member),
			exc=ReconcileError,
		)
	deducted = to_money(x.amount)
	wanted = to_money(amount) if amount not in (None, "") else deducted
	if wanted <= 0 or wanted > deducted:
		frappe.throw(
			_("The amount to post must be above zero and at most the Rp {0} deducted").format(deducted),
			exc=ReconcileError,
		)
	owed = to_money(loan_outstanding(loan)["total"])
	post = min(wanted, owed)
	if post <= 0:
		frappe.throw(
			_("Loan {0} owes nothing: refund the deduction instead").format(loan), exc=ReconcileError
		)
	payment = frappe.get_doc(
		{
			"doctype": "Loan Payment",
			"loan": loan,
			"amount": post,
			"posting_date": _posting_date(line),
			"payment_method": "Pension Deduction",
			"reference_no": line.cut_import if line else x.name,
			"source_key": _free_key(line.name if line else x.name),
		}
	)
	write_as_system(payment, "create", "submit").insert()
	payment.submit()
	refund = None
	if deducted - post > 0:
		refund = _refund_request(
			loan_doc.member,
			loan,
			deducted - post,
			_("Deducted Rp {0}, posted Rp {1} on {2} by hand ({3})").format(deducted, post, loan, x.name),
			x,
			line,
		)
	if line:
		_record_on_line(line, loan_doc.member, loan, post, payment.name, refund, x)
	return {
		"resolution": "Posted",
		"member": loan_doc.member,
		"loan": loan,
		"loan_payment": payment.name,
		"refund_request": refund,
		"resolution_note": (reason or "").strip() or _("Posted Rp {0} on {1}").format(post, loan),
	}


def _refund(x, line, member, amount, reason) -> dict:
	member = member or x.member
	if not member:
		frappe.throw(_("Name the member to refund"), exc=ReconcileError)
	deducted = to_money(x.amount)
	value = to_money(amount) if amount not in (None, "") else deducted
	if value <= 0 or value > deducted:
		frappe.throw(
			_("The refund must be above zero and at most the Rp {0} deducted").format(deducted),
			exc=ReconcileError,
		)
	refund = _refund_request(
		member, None, value, (reason or "").strip() or _("Refund of {0}").format(x.name), x, line
	)
	if line:
		frappe.db.set_value(
			"Pension Cut Import Line",
			line.name,
			{"member": member, "refund_amount": value, "refund_request": refund},
		)
	return {"resolution": "Refunded", "member": member, "refund_request": refund,
		"resolution_note": (reason or "").strip() or _("Refunded Rp {0}").format(value)}  # fmt: skip


def _refund_request(member, loan, amount, reason, x, line) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Refund Request",
			"member": member,
			"loan": loan,
			"amount": amount,
			"reason": reason,
			"pension_fund": x.pension_fund,
			"period": x.period,
			"cut_import": line.cut_import if line else None,
			"import_line": line.name if line else None,
			"exception": x.name,
		}
	)
	write_as_system(doc, "create").insert()
	return doc.name


def _record_on_line(line, member, loan, post, payment, refund, x):
	"""The line is now posted: its outcome, and what it realised on the export lines of that loan in the
	period (oldest instruction first), as Pension Cut Realisation rows of the payment."""
	bills, _by_name, installments = bills_of(line.pension_fund, line.period)
	mine = [b for b in bills.get(member, []) if b.loan == loan]
	split = {}
	for p in split_postings(post, mine):
		split[p.bill_line] = split.get(p.bill_line, ZERO) + p.amount
	write_realisations(
		[
			Realisation(line, name, amount, loan, member, payment)
			for name, amount in split.items()
			if amount > 0
		],
		installments,
		frappe.session.user,
	)
	frappe.db.set_value(
		"Pension Cut Import Line",
		line.name,
		{
			"status": "Matched",
			"member": member,
			"loan": loan,
			"loan_payment": payment,
			"posted_amount": to_money(line.posted_amount) + post,
			"refund_amount": to_money(line.refund_amount) + (to_money(x.amount) - post if refund else ZERO),
			"refund_request": refund or line.refund_request,
			"export_line": next(iter(split), line.export_line),
			"reason": _("Reconciled by hand ({0})").format(x.name),
		},
	)


def _only_active_loan(member: str | None) -> str | None:
	if not member:
		return None
	loans = frappe.get_all("Loan", {"member": member, "status": ("in", ("Active", "Default"))}, pluck="name")
	return loans[0] if len(loans) == 1 else None


def _posting_date(line):
	if line and line.deduction_date:
		return getdate(line.deduction_date)
	if line:
		return getdate(frappe.db.get_value("Pension Cut Import", line.cut_import, "posting_date"))
	return getdate()


def _free_key(base: str) -> str:
	"""``base`` if no Loan Payment carries it as source key yet, else ``base/m2``, ``base/m3``…"""
	key, n = base, 1
	while frappe.db.exists("Loan Payment", {"source_key": key}):
		n += 1
		key = f"{base}/m{n}"
	return key
