from frappe.model.document import Document


class EligibilityCheck(Document):
	@property
	def reason_text(self) -> str:
		"""The reason in the reader's language (virtual field; the stored ``reason`` stays in English)."""
		from pinjaman_online.origination.utils import precheck_reason

		return precheck_reason(self.reason_data, self.reason)
