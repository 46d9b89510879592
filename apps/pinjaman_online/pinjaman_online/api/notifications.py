"""Staff notifications (seed 004 "API Struktur – Notification": ``POST /notifications``; "Cek histori
notifikasi per user/member").

* ``send`` — a manual or broadcast notification to a member, a user or a segment (a branch's members, overdue
  borrowers, a product's borrowers): a *Notification Broadcast* record, sent in the background (RQ), each
  recipient once. Staff whose roles may create a Notification Broadcast (Role Permission Manager); a sales
  agent only to members of their branch. Safe to retry with ``Idempotency-Key``.
* ``broadcast`` — a broadcast's status, counts and deliveries.
* ``history`` — a member's notifications (every channel), for staff who may read the member.

Templates are managed over Frappe REST (``/api/resource/Borrower Notification Template``, Koperasi Admin and
System Manager) and in the desk. The borrower's own in-app history is ``api.mobile_notifications``.
"""

import frappe
from frappe import _

from pinjaman_online.api import Limit, Start, endpoint
from pinjaman_online.api.idempotency import idempotent

BROADCAST = "Notification Broadcast"
LOG = "Borrower Notification"
DELIVERY_FIELDS = [
	"name",
	"creation",
	"channel",
	"recipient",
	"status",
	"template",
	"subject",
	"message",
	"error",
	"member",
	"user",
	"reference_doctype",
	"reference_name",
	"broadcast",
]


@frappe.whitelist(methods=["POST"])
@idempotent
@endpoint
def send(
	target_type: str,
	member: str | None = None,
	user: str | None = None,
	sales_branch: str | None = None,
	loan_product: str | None = None,
	template: str | None = None,
	subject: str | None = None,
	message: str | None = None,
) -> dict:
	"""Send a notification to ``target_type`` = ``Member`` (``member``), ``User`` (``user``), ``Branch``
	(``sales_branch``: its active members), ``Overdue`` (members with a live loan more than 0 days past due)
	or ``Product`` (``loan_product``: members with a live loan of it), with ``template`` (a Borrower
	Notification Template key; context ``subject``, ``message``, ``full_name``) or else ``subject`` and
	``message`` (template ``manual_message``).

	Returns ``{broadcast, status: "Queued", target}``; the deliveries are made by an RQ job after this request
	commits (see :func:`broadcast`). 403 without create permission on Notification Broadcast or on a target
	the caller may not read; 404 for an unknown target; 417 for missing or bad arguments."""
	if not frappe.has_permission(BROADCAST, "create"):
		frappe.throw(_("You may not send notifications"), frappe.PermissionError)
	doc = frappe.get_doc(
		{
			"doctype": BROADCAST,
			"target_type": (target_type or "").strip().title(),
			"member": member,
			"target_user": user,
			"sales_branch": sales_branch,
			"loan_product": loan_product,
			"template": template,
			"subject": subject,
			"message": message,
		}
	)
	doc.insert()
	return {"broadcast": doc.name, "status": doc.status, "target": doc.describe()}


@frappe.whitelist(methods=["GET"])
@endpoint
def broadcast(name: str, limit: Limit = 100, start: Start = 0) -> dict:
	"""A broadcast (status Queued → Sending → Completed or Failed, recipients, sent, failed) with a page of
	its deliveries (one per recipient and channel). Read permission on the broadcast (404 when unknown)."""
	if not frappe.db.exists(BROADCAST, name):
		frappe.throw(_("Could not find {0}").format(f"{_(BROADCAST)}: {name}"), frappe.DoesNotExistError)
	doc = frappe.get_doc(BROADCAST, name)
	doc.check_permission("read")
	deliveries = frappe.get_all(
		LOG,
		filters={"broadcast": name},
		fields=DELIVERY_FIELDS,
		order_by="creation asc, name asc",
		limit_start=start,
		limit_page_length=limit or 100,
	)
	return {
		"broadcast": doc.name,
		"target_type": doc.target_type,
		"target": doc.describe(),
		"status": doc.status,
		"recipients": doc.recipients or 0,
		"sent": doc.sent or 0,
		"failed": doc.failed or 0,
		"deliveries": [_plain(row) for row in deliveries],
	}


@frappe.whitelist(methods=["GET"])
@endpoint
def history(member: str, limit: Limit = 50, start: Start = 0, channel: str | None = None) -> dict:
	"""``GET /notifications?member=…``: the member's notifications, newest first — every delivery (in-app,
	e-mail, SMS, WhatsApp) sent to the member or about them, with status. Staff who may read the member (a
	sales agent: their branch); 404 for an unknown member, 403 otherwise."""
	if not frappe.db.exists("Member", member):
		frappe.throw(_("Could not find {0}").format(f"{_('Member')}: {member}"), frappe.DoesNotExistError)
	if not frappe.has_permission("Member", "read", doc=member) or not frappe.has_permission(LOG, "read"):
		frappe.throw(
			_("You may not read the notifications of member {0}").format(member), frappe.PermissionError
		)
	filters = {"member": member}
	if channel:
		if channel not in ("In-App", "Email", "SMS", "WhatsApp"):
			frappe.throw(_("Channel must be In-App, Email, SMS or WhatsApp"))
		filters["channel"] = channel
	rows = frappe.get_list(
		LOG,
		filters=filters,
		fields=DELIVERY_FIELDS,
		order_by="creation desc, name desc",
		limit_start=start,
		limit_page_length=limit or 50,
	)
	return {
		"member": member,
		"total": frappe.db.count(LOG, filters),
		"notifications": [_plain(row) for row in rows],
	}


def _plain(row: dict) -> dict:
	row["creation"] = str(row["creation"])
	return row
