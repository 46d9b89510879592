import frappe
from frappe import _

from pinjaman_online.permissions import SystemFieldsDocument

TARGET_FIELD = {
	"Member": "member",
	"User": "target_user",
	"Branch": "sales_branch",
	"Product": "loan_product",
	"Overdue": None,
}


class NotificationBroadcast(SystemFieldsDocument):
	"""A manual or broadcast notification (seed 004 Notification Management: "Kirim notifikasi manual
	(broadcast, custom)"): to one member, one user or a segment, sent in the background by
	``borrower.notifications.send_broadcast``; its deliveries are Borrower Notifications linking it.

	Created by ``api.notifications.send`` or over REST by a role with create permission; never edited
	(no write permission). Whoever creates it may target only members they may read (a sales agent: their
	branch), checked here for every door."""

	def validate(self):
		if not self.is_new():
			return
		from pinjaman_online.borrower.notifications import check_broadcast

		check_broadcast(self)

	def after_insert(self):
		frappe.enqueue(
			"pinjaman_online.borrower.notifications.send_broadcast",
			queue="default",
			enqueue_after_commit=True,
			job_id=f"notification-broadcast:{self.name}",
			deduplicate=True,
			broadcast=self.name,
		)

	def target(self) -> str | None:
		"""The value naming who is targeted (a member, a user, a branch, a product), None for Overdue."""
		field = TARGET_FIELD.get(self.target_type)
		return self.get(field) if field else None

	def describe(self) -> str:
		return _("{0}: {1}").format(_(self.target_type), self.target() or _("days past due above 0"))
