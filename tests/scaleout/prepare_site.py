"""Prepare the rehearsal's site (run by ``tests/scaleout/run`` in the rehearsal's sites folder, on the machine).

usage: python prepare_site.py SITE OUT_JSON CSV_PATH IMPORT_LINES PAY_LOANS

Writes, and commits:

* a Finance user ``scaleout-finance@koperasi.example`` with an API key and secret (payments, reads, the billing
  import), and an API key and secret for Administrator (the probe jobs need a System Manager);
* ``IMPORT_LINES`` Taspen members with an active pension-deduction loan whose first installment falls due in a
  free far-future period, that period's Pension Cut Export, and a realisation file answering it in full
  (``CSV_PATH``), which the rehearsal's client uploads during the load;
* ``PAY_LOANS`` Asabri loans of the same shape (never in the Taspen export) for the staff payments.

OUT_JSON gets ``{"finance": [key, secret], "admin": [key, secret], "period", "export", "pay_loans": [...],
"import_loans": n}``. Uses the app's test factories (``pinjaman_online.tests.factories``).
"""

import json
import sys

import frappe


def api_credentials(user: str) -> list[str]:
	"""A new API key and secret for ``user`` (replacing any it had)."""
	doc = frappe.get_doc("User", user)
	key, secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
	doc.api_key, doc.api_secret = key, secret
	doc.flags.ignore_password_policy = True
	doc.save(ignore_permissions=True)
	return [key, secret]


def main(site: str, out: str, csv_path: str, import_lines: int, pay_loans: int):
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from pinjaman_online.tests.factories import (
		free_period,
		insert_user,
		make_billable_loans_fast,
		make_export,
		realisation_csv,
	)

	email = "scaleout-finance@koperasi.example"
	if not frappe.db.exists("User", email):
		insert_user(email, "Scaleout Finance", ["Finance"])
	result = {"finance": api_credentials(email), "admin": api_credentials("Administrator")}
	frappe.db.commit()

	period = free_period()
	make_billable_loans_fast(period, import_lines, "Taspen")
	frappe.db.commit()
	export = make_export(period)
	frappe.db.commit()
	with open(csv_path, "wb") as f:
		f.write(realisation_csv(export.name))

	pay_period = free_period()
	result["pay_loans"] = make_billable_loans_fast(pay_period, pay_loans, "Asabri")
	frappe.db.commit()
	result.update(period=period, export=export.name, import_loans=import_lines)
	with open(out, "w") as f:
		json.dump(result, f)
	frappe.destroy()


if __name__ == "__main__":
	main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
