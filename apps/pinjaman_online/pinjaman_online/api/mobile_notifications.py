"""Borrower mobile API: in-app notifications (seed 004 "API Struktur – Notification":
``GET /notifications?user_id=…&is_read=false``, ``PUT /notifications/{id}/read``).

The notifications are Frappe Notification Logs of the caller (``for_user``); what was sent on other channels
is recorded in Borrower Notification (staff side). Needs ``Authorization: Bearer <access token>``.
"""

import frappe
from frappe import _

from pinjaman_online.api import Limit, Start, endpoint
from pinjaman_online.borrower import auth

FIELDS = [
	"name",
	"subject",
	"email_content as message",
	"`read` as is_read",
	"document_type",
	"document_name",
	"creation",
]


def _own_user(user_id: str | None) -> str:
	auth.current_claims()
	user = frappe.session.user
	if user_id and user_id.strip().lower() != user.lower():
		frappe.throw(_("You can only see your own notifications"), frappe.PermissionError)
	return user


def _flag(value, name: str) -> int | None:
	if value is None or value == "":
		return None
	text = str(value).strip().lower()
	if text in ("1", "true", "yes"):
		return 1
	if text in ("0", "false", "no"):
		return 0
	frappe.throw(_("{0} must be true or false").format(name))


@frappe.whitelist(methods=["GET"])
@endpoint
def notifications(
	user_id: str | None = None, is_read: str | None = None, limit: Limit = 20, start: Start = 0
) -> dict:
	"""`GET /notifications?user_id=…&is_read=false`: the borrower's notifications, newest first
	(``limit`` at most 100, from ``start``), and the number unread. ``user_id`` may be given only as the
	caller's own user (403 otherwise)."""
	user = _own_user(user_id)
	filters = {"for_user": user}
	read = _flag(is_read, "is_read")
	if read is not None:
		filters["read"] = read
	rows = frappe.get_all(
		"Notification Log",
		filters=filters,
		fields=FIELDS,
		order_by="creation desc",
		limit_start=start,
		limit_page_length=min(max(limit, 1), 100),
	)
	# the event (template key) each in-app notification was sent for, from the delivery log
	events = dict(
		frappe.get_all(
			"Borrower Notification",
			filters={"channel": "In-App", "provider_id": ("in", [r["name"] for r in rows] or [""])},
			fields=["provider_id", "template"],
			as_list=True,
		)
	)
	for row in rows:
		row["is_read"] = bool(row["is_read"])
		row["creation"] = str(row["creation"])
		row["event"] = events.get(row["name"])
	unread = frappe.db.count("Notification Log", {"for_user": user, "read": 0})
	return {"user_id": user, "unread": unread, "notifications": rows}


@frappe.whitelist(methods=["POST", "PUT"])
@endpoint
def mark_read(notification: str | None = None, all: bool = False) -> dict:
	"""`PUT /notifications/{id}/read`: mark one of the borrower's notifications read, or every one with
	``all`` = true. 404 for a notification that is not the caller's; returns how many changed and the
	number still unread."""
	user = _own_user(None)
	nl = frappe.qb.DocType("Notification Log")
	if not notification and not all:
		frappe.throw(_("Give a notification, or all = true"))
	condition = (nl.for_user == user) & (nl.read == 0)
	if notification:
		if frappe.db.get_value("Notification Log", notification, "for_user") != user:
			frappe.throw(_("Notification {0} not found").format(notification), frappe.DoesNotExistError)
		condition &= nl.name == notification
	names = frappe.qb.from_(nl).select(nl.name).where(condition).run(pluck=True)
	if names:
		frappe.qb.update(nl).set(nl.read, 1).where(nl.name.isin(names)).run()
	unread = frappe.db.count("Notification Log", {"for_user": user, "read": 0})
	return {"marked": len(names), "unread": unread}
