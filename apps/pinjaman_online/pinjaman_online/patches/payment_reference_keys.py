"""Fill ``Loan Payment.reference_key`` (payment method and reference, unique among payments that are not
cancelled) on payments posted before it existed. Where one reference was used twice on one channel, only
the oldest payment gets the key; the others are left without one and listed in the log."""

import frappe


def execute():
	frappe.db.sql(
		"""UPDATE `tabLoan Payment` p JOIN (
			SELECT CONCAT(payment_method, ':', TRIM(reference_no)) AS k, MIN(name) AS first
			FROM `tabLoan Payment`
			WHERE docstatus < 2 AND IFNULL(TRIM(reference_no), '') != '' AND payment_method != 'Pension Deduction'
			GROUP BY k) u ON p.name = u.first
		SET p.reference_key = u.k
		WHERE p.reference_key IS NULL"""
	)
	duplicates = frappe.db.sql(
		"""SELECT name, payment_method, reference_no FROM `tabLoan Payment`
		WHERE docstatus < 2 AND reference_key IS NULL AND IFNULL(TRIM(reference_no), '') != ''
			AND payment_method != 'Pension Deduction'""",
		as_dict=True,
	)
	for row in duplicates:
		print(f"Loan Payment {row.name}: reference {row.reference_no} ({row.payment_method}) used before")
