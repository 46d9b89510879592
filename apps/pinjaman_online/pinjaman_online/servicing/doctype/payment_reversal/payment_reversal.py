from frappe.model.document import Document

from pinjaman_online.servicing.changes import check_reversible, reverse_payment


class PaymentReversal(Document):
	def validate(self):
		check_reversible(self.loan_payment)

	def on_submit(self):
		reverse_payment(self)
