"""Encrypted backups on a schedule, kept for a configured period, and the figures a restore drill compares.

Frappe's own backup is used as it is (``frappe.utils.backups.new_backup``, what ``bench backup --with-files``
runs): a gzipped SQL dump of the site's database and tar archives of its public and private files, encrypted
with gpg (symmetric, the site config's ``backup_encryption_key``) when System Settings' *Encrypt Backups*
is on. The scheduled job (``hourly_long``) turns encryption on and makes the key when they are missing, so no
backup it writes is ever in clear text, and backs up when the newest backup is older than the interval.

Site config (``bench --site SITE set-config -p KEY VALUE``):

- ``backup_interval_hours`` (default 6; 0 turns the scheduled backup off);
- ``keep_backups_for_hours`` (Frappe's own retention, which every backup applies to the backup folder;
  default here 168 = 7 days, Frappe's default is 24);
- ``backup_encryption_key`` (Frappe's; made on first use): keep a copy **outside** the site, with the site
  config's ``encryption_key`` (it decrypts stored passwords): without them a backup cannot be restored whole.
  Frappe's backup also writes a plain-text copy of the site config (both keys, the database password) beside
  the encrypted files; the app's backup deletes it at once, so nothing in the backup folder opens the others.
"""

import glob
import hashlib
import json
import os
import time

import frappe
from frappe.utils import cint

DEFAULT_INTERVAL_HOURS = 6
DEFAULT_KEEP_HOURS = 168
# What the restore drill compares: every row of these tables, when the doctype exists on the site.
DRILL_DOCTYPES = (
	"Member",
	"Loan",
	"Loan Installment",
	"Loan Disbursement",
	"Loan Payment",
	"Loan Payment Allocation",
	"Payment Reversal",
	"Loan Settlement",
	"Loan Penalty",
	"Pension Cut Import",
	"Reconciliation Exception",
	"Ledger Entry",
	"File",
)


def backup_folder() -> str:
	"""The site's backup folder (Frappe's ``backup_path`` setting, default ``private/backups``)."""
	from frappe.utils.backups import get_backup_path

	return get_backup_path()


def newest_backup_time() -> float | None:
	"""Unix time when the site's newest database backup was written, or None."""
	files = glob.glob(os.path.join(backup_folder(), "*-database*.sql.gz"))
	return max((os.path.getmtime(f) for f in files), default=None)


def ensure_encryption() -> str:
	"""Turns System Settings' *Encrypt Backups* on and makes the site's ``backup_encryption_key`` when missing
	(Frappe's own key handling). Returns the key."""
	from frappe.utils.backups import get_or_generate_backup_encryption_key

	if not cint(frappe.db.get_single_value("System Settings", "encrypt_backup")):
		frappe.db.set_single_value("System Settings", "encrypt_backup", 1)
		frappe.db.commit()
	return get_or_generate_backup_encryption_key()


def run_backup(with_files: bool = True, output: str | None = None) -> dict:
	"""An encrypted backup of the site now: database, and public and private files when ``with_files``.

	Applies the retention (``keep_backups_for_hours``) to the backup folder first, as Frappe does. Returns
	``{"database", "public", "private", "encrypted", "seconds", "bytes"}`` (absolute paths) and writes it as
	JSON to ``output`` when given. Raises when gpg is missing (Frappe exits)."""
	from frappe.utils.backups import new_backup

	from pinjaman_online.observability import log_event

	ensure_encryption()
	frappe.local.conf.keep_backups_for_hours = cint(frappe.conf.keep_backups_for_hours) or DEFAULT_KEEP_HOURS
	started = time.perf_counter()
	odb = new_backup(ignore_files=not with_files, compress=True, force=True)
	# Frappe writes a plain-text copy of the site config beside the encrypted files; it holds the backup key
	# itself (and the database password): it must never travel with the backups.
	if odb.backup_path_conf and os.path.exists(odb.backup_path_conf):
		os.remove(odb.backup_path_conf)
	paths = {
		"database": os.path.abspath(odb.backup_path_db),
		"public": os.path.abspath(odb.backup_path_files) if with_files else None,
		"private": os.path.abspath(odb.backup_path_private_files) if with_files else None,
	}
	result = {
		**paths,
		"encrypted": bool(cint(frappe.db.get_single_value("System Settings", "encrypt_backup"))),
		"seconds": round(time.perf_counter() - started, 2),
		"bytes": sum(os.path.getsize(p) for p in paths.values() if p and os.path.exists(p)),
	}
	log_event("backup written", **{f"backup_{k}": v for k, v in result.items()})
	if output:
		with open(output, "w") as f:
			json.dump(result, f, indent=1)
	return result


def scheduled_backup():
	"""Scheduler (``hourly_long``): an encrypted backup with files when the newest one is older than
	``backup_interval_hours`` (default 6; 0: never)."""
	interval = frappe.conf.get("backup_interval_hours")
	interval = DEFAULT_INTERVAL_HOURS if interval is None else cint(interval)
	if interval <= 0:
		return
	newest = newest_backup_time()
	if newest and time.time() - newest < interval * 3600 - 300:
		return
	run_backup(with_files=True)


def fingerprint(output: str) -> dict:
	"""What a restore must give back: for each doctype of ``DRILL_DOCTYPES`` on the site, every row
	(all columns, ordered by name) as a SHA-256 digest, with the row count; money totals of loans,
	payments and the ledger; every public and private file's SHA-256. Written as JSON to ``output``;
	returned too."""
	result: dict = {"site": frappe.local.site, "tables": {}, "totals": {}}
	for doctype in DRILL_DOCTYPES:
		if not frappe.db.table_exists(doctype):
			continue
		rows = frappe.db.sql(f"select * from `tab{doctype}` order by name", as_dict=True)
		digests = {}
		for row in rows:
			text = json.dumps({k: str(v) for k, v in sorted(row.items())}, sort_keys=True)
			digests[row["name"]] = hashlib.sha256(text.encode()).hexdigest()
		result["tables"][doctype] = {"rows": len(rows), "digests": digests}
	totals = result["totals"]
	if frappe.db.table_exists("Loan"):
		totals["loans"] = _sums(
			"Loan",
			[
				"principal",
				"outstanding_principal",
				"outstanding_interest",
				"outstanding_penalty",
				"total_paid",
			],
		)
	if frappe.db.table_exists("Loan Payment"):
		totals["payments (submitted)"] = _sums("Loan Payment", ["amount"], "docstatus = 1")
	if frappe.db.table_exists("Ledger Entry"):
		totals["ledger"] = _sums("Ledger Entry", ["debit", "credit"])
	result["files"] = {
		"public": _file_digests(frappe.get_site_path("public", "files")),
		"private": _file_digests(frappe.get_site_path("private", "files")),
	}
	with open(output, "w") as f:
		json.dump(result, f, indent=1, default=str)
	return result


def _file_digests(folder: str) -> dict[str, str]:
	"""Relative path -> SHA-256 of every file under ``folder``."""
	digests = {}
	for base, _dirs, names in os.walk(folder):
		for name in names:
			path = os.path.join(base, name)
			with open(path, "rb") as f:
				digests[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
	return dict(sorted(digests.items()))


def _sums(doctype: str, fields: list[str], where: str = "1=1") -> dict:
	columns = ", ".join(f"coalesce(sum(`{f}`), 0) as `{f}`" for f in fields)
	row = frappe.db.sql(
		f"select count(*) as `count`, {columns} from `tab{doctype}` where {where}", as_dict=True
	)
	return {k: str(v) for k, v in row[0].items()}
