"""The credit scorecard as Frappe data (Credit Scorecard) → the lending core's Scorecard; facts of an
application; the bureau report. Pure rules are in ``lending/scoring.py``; decisions in ``origination/decision.py``.
"""

import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.integrations.bureau import BureauError, credit_report
from pinjaman_online.lending.scoring import Bin, BureauReport, Scorecard, application_facts
from pinjaman_online.utils import to_money


def scorecard_of(doc) -> Scorecard:
	"""The core Scorecard of a Credit Scorecard document; raises InvalidScorecard (a LendingError) when its
	bins or cut-offs are inconsistent, or a bound is not a number."""
	from pinjaman_online.lending.scoring import InvalidScorecard

	bins = []
	for row in doc.bins:
		try:
			bins.append(
				Bin(
					characteristic=row.characteristic,
					points=int(row.points or 0),
					lower=(row.lower_bound or "").strip() or None,
					upper=(row.upper_bound or "").strip() or None,
					category=row.category,
					missing=bool(row.missing),
				)
			)
		except ValueError as exc:
			raise InvalidScorecard(f"Bins row {row.idx}: {exc}") from None
	flags = frozenset(line.strip() for line in (doc.reject_flags or "").splitlines() if line.strip())
	return Scorecard(
		bins=tuple(bins),
		approve_from=int(doc.approve_from or 0),
		reject_below=int(doc.reject_below or 0),
		base_points=int(doc.base_points or 0),
		max_bureau_dpd=int(doc.max_bureau_dpd) if doc.max_bureau_dpd is not None else None,
		reject_flags=flags,
	)


def active_scorecard():
	"""The Credit Scorecard named in Borrower Settings (must be enabled)."""
	name = frappe.get_cached_doc("Borrower Settings").get("credit_scorecard")
	if not name or not frappe.db.get_value("Credit Scorecard", name, "enabled"):
		frappe.throw(_("No enabled Credit Scorecard is set in Borrower Settings"))
	return frappe.get_doc("Credit Scorecard", name)


def bureau_report(application) -> tuple[BureauReport, dict | None]:
	"""Ask the credit bureau about the application's member: (core BureauReport, the adapter's answer or
	None). An unreachable or unreadable bureau is ``BureauReport(available=False)``, never an exception."""
	from pinjaman_online.borrower.kyc import member_nik

	member = frappe.db.get_value(
		"Member", application.member, ["nik", "full_name", "birth_date"], as_dict=True
	)
	try:
		answer = credit_report(
			member_nik(application.member),
			member.full_name,
			str(member.birth_date) if member.birth_date else None,
			application.name,
		)
	except BureauError:
		frappe.clear_messages()
		return BureauReport(available=False), None
	return (
		BureauReport(
			available=True,
			score=answer["score"],
			max_dpd=answer["max_dpd"],
			flags=frozenset(answer["flags"]),
		),
		answer,
	)


def facts_of(application, bureau: BureauReport) -> dict:
	"""The scorecard facts of an application (characteristic code → value)."""
	product = frappe.get_cached_doc("Loan Product", application.loan_product)
	birth_date = frappe.db.get_value("Member", application.member, "birth_date")
	closed = frappe.db.count("Loan", {"member": application.member, "status": "Closed"})
	return application_facts(
		birth_date=getdate(birth_date) if birth_date else None,
		on=getdate(application.application_date),
		principal=to_money(application.principal),
		product_max_principal=to_money(product.max_principal),
		tenor_months=int(application.tenor_months),
		installment=to_money(application.installment_amount),
		monthly_income=to_money(application.monthly_income) if application.monthly_income else None,
		occupation=application.occupation,
		bureau_score=bureau.score if bureau.available else None,
		closed_loans=closed,
	)
