"""The daily servicing run (seed 004 §4 LMS steps 5 and 9; §8 aging generated monthly).

For every active or defaulted loan, as of a date: accrue late-payment penalties from the product's penalty
rule (`lending.penalties`), recompute days past due, aging bucket and collectibility, and flag the loan
Default when it is more days past due than *Pinjaman Online Settings → Default After*. On the last day of a
month, the aging snapshot of that month is taken. Safe to run twice on the same day: penalties accrue from the
date already accrued, so a second run adds nothing, and the snapshot of a period is replaced, not duplicated.

Runs on RQ's long queue from the scheduler (`daily_long`), or by hand: `run_daily_servicing(as_of)`.
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import get_last_day, getdate, now, today

from pinjaman_online.lending.aging import collectibility, dpd_bucket
from pinjaman_online.lending.penalties import PenaltyRule, accrue
from pinjaman_online.servicing.utils import refresh_loan
from pinjaman_online.utils import STANDARD_FIELDS, get_settings, insert_rows, to_money

BATCH = 500


def _commit():
	"""Commit a finished batch, so a killed worker leaves whole batches; tests keep their rollback."""
	if not frappe.flags.in_test:
		frappe.db.commit()


LIVE = ("Active", "Default")


def scheduled_run():
	"""Scheduler entry (daily_long): today's run."""
	run_daily_servicing()


def run_daily_servicing(as_of: str | date | None = None) -> dict:
	"""Run the daily servicing as of ``as_of`` (default today). Returns the Servicing Run's figures."""
	as_of = getdate(as_of or today())
	run = _start_run(as_of)
	threshold = int(get_settings().default_after_days_past_due or 90)
	rules = _penalty_rules()
	loans = frappe.get_all(
		"Loan", filters={"status": ("in", LIVE)}, fields=["name", "loan_product", "status"], order_by="name"
	)
	totals = {"loans_processed": 0, "penalties_accrued": 0, "installments_penalised": 0, "loans_defaulted": 0}
	for start in range(0, len(loans), BATCH):
		batch = loans[start : start + BATCH]
		_accrue_penalties(batch, rules, as_of, totals)
		for loan in batch:
			values = refresh_loan(loan.name, as_of)
			if (
				loan.status == "Active"
				and values.get("status", "Active") == "Active"
				and values["days_past_due"] > threshold
			):
				_flag_default(loan.name, values["days_past_due"], threshold, as_of)
				totals["loans_defaulted"] += 1
		totals["loans_processed"] += len(batch)
		_commit()
		frappe.publish_progress(
			100 * (start + len(batch)) / max(len(loans), 1),
			title=_("Daily servicing"),
			description=_("{0} of {1} loans").format(start + len(batch), len(loans)),
		)
	if as_of == getdate(get_last_day(as_of)):
		take_aging_snapshot(as_of.strftime("%Y-%m"))
	run.reload()
	run.update({**totals, "status": "Completed"})  # the figures of the latest run of that date
	run.log = (run.log or "") + _("Run {0} at {1}: {2}").format(run.runs, now(), totals) + "\n"
	run.flags.ignore_permissions = True
	run.save()
	_commit()
	return {"run_date": str(as_of), "runs": run.runs, **totals}


def _start_run(as_of: date):
	name = str(as_of)
	if frappe.db.exists("Servicing Run", name):
		run = frappe.get_doc("Servicing Run", name)
		run.runs = (run.runs or 0) + 1
		run.status = "Running"
	else:
		run = frappe.get_doc({"doctype": "Servicing Run", "run_date": as_of, "status": "Running", "runs": 1})
	run.flags.ignore_permissions = True
	run.save()
	_commit()
	return run


def _penalty_rules() -> dict[str, PenaltyRule | None]:
	rules = {}
	for product in frappe.get_all("Loan Product", fields=["name", "penalty_rule"]):
		rule = product.penalty_rule and frappe.db.get_value(
			"Penalty Rule",
			product.penalty_rule,
			["enabled", "grace_days", "daily_rate", "cap_percent"],
			as_dict=True,
		)
		rules[product.name] = (
			PenaltyRule(
				rule.grace_days,
				to_money(rule.daily_rate),
				to_money(rule.cap_percent) if rule.cap_percent else None,
			)
			if rule and rule.enabled
			else None
		)
	return rules


def _accrue_penalties(batch, rules, as_of: date, totals: dict):
	product_of = {loan.name: loan.loan_product for loan in batch if rules.get(loan.loan_product)}
	if not product_of:
		return
	li = frappe.qb.DocType("Loan Installment")
	rows = (
		frappe.qb.from_(li)
		.select(
			li.name,
			li.loan,
			li.due_date,
			li.total_amount,
			li.principal_amount,
			li.interest_amount,
			li.principal_paid,
			li.interest_paid,
			li.penalty_amount,
			li.penalty_paid,
			li.last_penalty_date,
		)
		.where(
			li.loan.isin(list(product_of))
			& (li.due_date < as_of)
			& li.status.isin(["Unpaid", "Partially Paid"])
		)
		.for_update()
		.run(as_dict=True)
	)
	for row in rows:
		unpaid = (
			to_money(row.principal_amount)
			- to_money(row.principal_paid)
			+ to_money(row.interest_amount)
			- to_money(row.interest_paid)
		)
		last = getdate(row.last_penalty_date) if row.last_penalty_date else None
		acc = accrue(
			rules[product_of[row.loan]],
			getdate(row.due_date),
			to_money(row.total_amount),
			unpaid,
			to_money(row.penalty_amount),
			last,
			as_of,
		)
		if acc.amount == 0 and acc.accrued_to == last:
			continue
		penalty = to_money(row.penalty_amount) + acc.amount
		outstanding = unpaid + penalty - to_money(row.penalty_paid)
		frappe.db.sql(
			"""update `tabLoan Installment` set penalty_amount=%s, outstanding_amount=%s, last_penalty_date=%s,
			modified=%s where name=%s""",
			(penalty, outstanding, acc.accrued_to, now(), row.name),
		)
		if acc.amount:
			totals["penalties_accrued"] += acc.amount
			totals["installments_penalised"] += 1


def _flag_default(loan_name: str, dpd: int, threshold: int, as_of: date):
	loan = frappe.get_doc("Loan", loan_name)
	loan.status = "Default"
	loan.default_date = as_of
	loan.flags.ignore_permissions = True
	loan.save(
		ignore_version=False
	)  # always versioned (Frappe skips versions in tests by default): the audit trail
	loan.add_comment("Info", _("Flagged Default: {0} days past due (more than {1})").format(dpd, threshold))


def take_aging_snapshot(period: str) -> int:
	"""Replace the aging snapshot of ``period`` (YYYY-MM) with one row per live loan. Returns the row count."""
	frappe.db.delete("Aging Snapshot", {"period": period})
	loans = frappe.get_all(
		"Loan",
		filters={"status": ("in", LIVE)},
		fields=[
			"name",
			"member",
			"loan_product",
			"days_past_due",
			"outstanding_principal",
			"outstanding_interest",
			"outstanding_penalty",
		],
	)
	stamp, user = now(), frappe.session.user
	rows = [
		(
			f"{period}-{loan.name}",
			user,
			user,
			stamp,
			stamp,
			0,
			0,
			period,
			loan.name,
			loan.member,
			loan.loan_product,
			loan.days_past_due,
			dpd_bucket(loan.days_past_due),
			collectibility(loan.days_past_due),
			loan.outstanding_principal,
			to_money(loan.outstanding_principal)
			+ to_money(loan.outstanding_interest)
			+ to_money(loan.outstanding_penalty),
		)
		for loan in loans
	]
	insert_rows(
		"Aging Snapshot",
		(
			*STANDARD_FIELDS,
			"period",
			"loan",
			"member",
			"loan_product",
			"days_past_due",
			"aging_bucket",
			"collectibility",
			"outstanding_principal",
			"outstanding_total",
		),
		rows,
	)
	_commit()
	return len(rows)
