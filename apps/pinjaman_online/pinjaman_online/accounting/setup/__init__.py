"""The shipped chart of accounts of a savings-and-loan cooperative (koperasi simpan pinjam) and the default
ledger account of each account role, installed on a site where they are missing.

``chart_of_accounts.json`` lists the accounts parent first (account number, Indonesian name, root type,
account type, group flag, parent number) and, on the account that takes an account role by default, that
``account_role``. Both are site data: an admin renames, adds, disables accounts and remaps roles in the desk
(Ledger Account tree, Accounting Settings), and a migrate only adds what is missing.
"""

import json
import os

import frappe

CHART = os.path.join(os.path.dirname(__file__), "chart_of_accounts.json")


def chart() -> list[dict]:
	"""The shipped chart: a list of account dicts, parents before children."""
	with open(CHART) as fh:
		return json.load(fh)


def install_chart() -> dict[str, list[str]]:
	"""Insert the shipped accounts the site lacks (by account number) and map each account role that
	Accounting Settings leaves unmapped to its shipped account, when that account exists.

	Returns ``{"accounts": [numbers inserted], "roles": [roles mapped]}``. Existing accounts and mappings are
	never changed. Runs from after_install and after_migrate.
	"""
	inserted, mapped = [], []
	accounts = chart()
	for record in accounts:
		if frappe.db.exists("Ledger Account", record["account_number"]):
			continue
		if record["parent_ledger_account"] and not frappe.db.exists(
			"Ledger Account", record["parent_ledger_account"]
		):
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Ledger Account",
				**{k: v for k, v in record.items() if k != "account_role"},
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		inserted.append(record["account_number"])

	settings = frappe.get_single("Accounting Settings")
	have = {row.account_role for row in settings.account_mapping}
	for record in accounts:
		role = record.get("account_role")
		if role and role not in have and frappe.db.exists("Ledger Account", record["account_number"]):
			settings.append("account_mapping", {"account_role": role, "account": record["account_number"]})
			have.add(role)
			mapped.append(role)
	if mapped or not settings.accounting_basis:
		settings.accounting_basis = settings.accounting_basis or "Cash"
		settings.flags.ignore_permissions = True
		settings.save()
	return {"accounts": inserted, "roles": mapped}
