"""Demo of pension-deduction billing on the demo site (billing part).

Run: ``bin/frappe --site pinjaman.localhost execute pinjaman_online.setup.demo_billing.run``

1. Finance generates the Taspen export for the current period (or finds the one already generated);
2. the export file is turned into the fund's realisation file: most pensioners deducted exactly, one short,
   one over, one within the tolerance, one line altered by the fund (pension number typed wrong), and one
   pensioner we never billed;
3. Finance imports it: the file is validated, the matching job is queued on the long queue and waited for
   (run in this process when no worker takes it within a minute);
4. the resulting payments, refund requests and reconciliation exceptions are printed;
5. Finance reconciles the altered line by hand (posts it on the right loan) and dismisses the stranger's.

Idempotent: a second run finds the import of the period and prints its results again.
"""

import csv
import io
import time

import frappe
from frappe.utils import today

from pinjaman_online.billing.reconciliation import run_matching
from pinjaman_online.setup.demo import FINANCE

FUND = "Taspen"


def run(period: str | None = None, again: bool = False):
	"""The demo for ``period`` (default: this month). ``again``: cancel the period's import first (which reverses
	its payments, refunds and exceptions) and import the realisation anew."""
	period = period or today()[:7]
	ensure_tolerance()
	frappe.set_user(FINANCE)
	if again:
		cancel_import(period)
	export = ensure_export(period)
	imp = ensure_import(period, export)
	show(imp)
	reconcile_by_hand(imp)
	history_and_report(period, imp)
	frappe.db.commit()
	frappe.set_user("Administrator")


def ensure_tolerance():
	settings = "Pinjaman Online Settings"
	if not frappe.db.get_single_value(settings, "reconciliation_tolerance"):
		frappe.db.set_single_value(settings, "reconciliation_tolerance", 1000)
		frappe.db.commit()
		print("(Pinjaman Online Settings: reconciliation tolerance was not set; set to its default Rp 1.000)")


def cancel_import(period: str):
	name = frappe.db.get_value("Pension Cut Import", {"pension_fund": FUND, "period": period, "docstatus": 1})
	if name:
		frappe.get_doc("Pension Cut Import", name).cancel()
		frappe.db.commit()
		print(f"\n== 0. Cancelled {name}: its payments, refund requests and exceptions are reversed")


def ensure_export(period: str) -> dict:
	from pinjaman_online.api.billing import export, get_export

	name = frappe.db.get_value("Pension Cut Export", {"pension_fund": FUND, "period": period, "docstatus": 1})
	doc = get_export(name, limit=0) if name else export(period, FUND)
	frappe.db.commit()
	print(f"\n== 1. Export {doc['name']} ({FUND}, {period}): {doc['total_lines']} instructions for "
		f"{doc['total_members']} pensioners, Rp {rupiah(doc['total_amount'])}; file {doc['file']}")  # fmt: skip
	return doc


def realisation(export: dict) -> tuple[bytes, dict]:
	"""The export file as the fund sends it back, with the demo's deviations; and what was changed."""
	file = frappe.get_doc("File", {"file_url": export["file"]})
	rows = list(csv.reader(io.StringIO(file.get_content()), delimiter=";"))
	header = ["NOMINAL_POTONGAN" if h == "NOMINAL_TAGIHAN" else h for h in rows[0]]
	body, story = [list(r) for r in rows[1:]], {}
	plan = ("short", "over", "within", "altered")
	for kind, row in zip(plan, body, strict=False):
		billed = int(row[7].replace(".", ""))
		if kind == "short":
			row[7] = dotted(billed * 6 // 10)
		elif kind == "over":
			row[7] = dotted(billed + 250_000)
		elif kind == "within":
			row[7] = dotted(billed - 500)
		else:
			row[0], row[1], row[8] = row[0] + "-X", "", ""  # the fund typed the pension number wrong
		story[kind] = {"pension_number": row[0], "loan": row[4], "billed": billed, "deducted": row[7]}
	body.append(["TSP-99999999", "", "Pensiunan Tak Dikenal", rows[1][3], "", "", "", dotted(750_000), ""])
	story["unknown"] = {"pension_number": "TSP-99999999", "deducted": dotted(750_000)}
	out = io.StringIO()
	csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([header, *body])
	return out.getvalue().encode(), story


def ensure_import(period: str, export: dict) -> str:
	from pinjaman_online.api.billing import import_realisation

	name = frappe.db.get_value("Pension Cut Import", {"pension_fund": FUND, "period": period, "docstatus": 1})
	if name:
		print(f"\n== 2-3. Realisation already imported as {name}")
		return name
	content, story = realisation(export)
	lines = content.count(b"\n") - 1
	print(f"\n== 2. Realisation file from the fund: {lines} lines; deviations:")
	for kind, what in story.items():
		print(f"     {kind:8} {what}")
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"realisasi-{FUND}-{period}.csv",
			"content": content,
			"is_private": 1,
		}
	).insert()
	result = import_realisation(period, FUND, today(), file.file_url)
	frappe.db.commit()  # queues the matching job (after the commit)
	name = result["name"]
	print(f"\n== 3. Import {name}: {result['total_lines']} lines valid, Rp {rupiah(result['total_amount'])}; "
		f"status {result['status']}, job {result['job_id']}")  # fmt: skip
	deadline, shown = time.monotonic() + 60, None
	while time.monotonic() < deadline:
		frappe.db.rollback()
		status, progress = frappe.db.get_value("Pension Cut Import", name, ["status", "progress"])
		if status in ("Reconciled", "Failed"):
			print(f"     {status} by the RQ worker")
			break
		if (status, progress) != shown:
			print(f"     {status} {progress or 0:.0f}%")
			shown = (status, progress)
		time.sleep(1)
	else:
		print("     no worker took the job within a minute (bin/start runs one): running the job here")
		print(f"     {run_matching(name)['status']}")
	return name


def show(name: str):
	from pinjaman_online.api.billing import get_import

	imp = get_import(name, limit=1000)
	print(f"\n== 4. Results of {name} ({imp['status']}, tolerance Rp {rupiah(imp['tolerance'])}):")
	print(f"     matched {imp['matched_count']}, short {imp['short_count']}, over {imp['over_count']}, "
		f"unmatched {imp['unmatched_count']}; posted Rp {rupiah(imp['posted_amount'])}, refunds "
		f"Rp {rupiah(imp['refund_amount'])}, sum of differences Rp {rupiah(imp['difference_amount'])}")  # fmt: skip
	print("     payments (line, status, deducted, expected, difference, posted → loan / payment):")
	for line in imp["lines"]:
		if line["status"] != "Matched" or line["difference"] not in ("0", None):
			amounts = (line["amount"], line["expected_amount"], line["difference"], line["posted_amount"])
			print(f"       {line['line_no']:>4} {line['status']:9} "
				+ " ".join(f"{rupiah(a):>12}" for a in amounts)
				+ f" → {line['loan'] or '-'} / {line['loan_payment'] or '-'}")  # fmt: skip
	exact = sum(1 for x in imp["lines"] if x["status"] == "Matched" and x["difference"] == "0")
	print(f"       … and {exact} lines deducted exactly as billed, each posted as one Loan Payment")
	print("     refund requests:")
	for r in imp["refunds"]:
		print(f"       {r['name']} {r['member']} Rp {rupiah(r['amount'])} ({r['status']}): {r['reason']}")
	print("     reconciliation exceptions:")
	for x in imp["unmatched"]:
		print(f"       {x['name']} line {x['line_no']} {x['reason']}: {x['pension_number']} Rp {rupiah(x['amount'])} "
			f"— {x['status']}{' (' + x['resolution'] + ')' if x['resolution'] else ''}; {x['message']}")  # fmt: skip


def reconcile_by_hand(name: str):
	from pinjaman_online.api.billing import reconcile
	from pinjaman_online.api.servicing import outstanding

	print("\n== 5. Manual reconciliation")
	for x in frappe.get_all(
		"Reconciliation Exception",
		{"cut_import": name, "status": "Open"},
		["name", "pension_number", "amount"],
	):
		if x.pension_number.endswith("-X"):
			member = frappe.db.get_value("Member", {"pension_number": x.pension_number[:-2]})
			loan = frappe.db.get_value("Loan", {"member": member, "status": ("in", ("Active", "Default"))})
			before = outstanding(loan)["total"]
			result = reconcile(x.name, "post", loan=loan)
			after = outstanding(loan)["total"]
			print(f"     {x.name}: posted on {loan} ({member}) → {result['loan_payment']}; outstanding "
				f"Rp {rupiah(before)} → Rp {rupiah(after)}")  # fmt: skip
		else:
			result = reconcile(
				x.name, "dismiss", reason="Not a member of this cooperative; returned to Taspen"
			)
			print(f"     {x.name}: {result['resolution']} — {result['resolution_note']}")
	remaining = frappe.db.count("Reconciliation Exception", {"cut_import": name, "status": "Open"})
	print(f"     open exceptions left for the period: {remaining}")


def rupiah(value) -> str:
	if value in (None, ""):
		return "-"
	amount = float(value)
	text = f"{abs(amount):,.0f}".replace(",", ".")
	return ("-" if amount < 0 else "") + text


def dotted(value: int) -> str:
	return f"{value:,}".replace(",", ".")


def history_and_report(period: str, name: str):
	from pinjaman_online.api.billing import member
	from pinjaman_online.billing.report.reconciliation_exceptions.reconciliation_exceptions import execute

	over = frappe.db.get_value("Pension Cut Import Line", {"cut_import": name, "status": "Over"}, "member")
	if over:
		(p,) = [p for p in member(over)["periods"] if p["period"] == period][:1] or [None]
		if p:
			print(f"\n== 6. Deduction history of {over} for {period}: billed Rp {rupiah(p['billed_total'])}, "
				f"deducted Rp {rupiah(p['deducted_total'])}, posted Rp {rupiah(p['posted_total'])}; "
				f"instruction {p['billed'][0]['status']}")  # fmt: skip
	_columns, rows, _message, _chart = execute({"period": period})
	print(f"     Reconciliation Exceptions report for {period}: "
		+ "; ".join(f"{r.name} {r.reason} → {r.resolution} by {r.resolved_by}" for r in rows))  # fmt: skip
