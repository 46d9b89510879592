from pinjaman_online.permissions import SystemFieldsDocument
from pinjaman_online.servicing.changes import apply_settlement, fill_settlement, revert_settlement


class LoanSettlement(SystemFieldsDocument):
	def validate(self):
		fill_settlement(self)

	def on_submit(self):
		apply_settlement(self)

	def on_cancel(self):
		revert_settlement(self)
