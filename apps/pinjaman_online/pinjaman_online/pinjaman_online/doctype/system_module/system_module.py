import frappe
from frappe.utils import now_datetime

from pinjaman_online.permissions import SystemFieldsDocument


class SystemModule(SystemFieldsDocument):
	"""A module an admin switches off and on (seed 004 §6 ``sys_modules``); see
	``pinjaman_online.system_modules`` for what switching off does."""

	def validate(self):
		if self.has_value_changed("enabled"):
			if self.enabled:
				self.disabled_on = self.disabled_by = None
			else:
				self.disabled_on, self.disabled_by = now_datetime(), frappe.session.user

	def on_update(self):
		from pinjaman_online.system_modules import apply

		apply(self)
