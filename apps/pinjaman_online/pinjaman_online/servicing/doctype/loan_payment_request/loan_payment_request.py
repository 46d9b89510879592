from pinjaman_online.permissions import SystemFieldsDocument


class LoanPaymentRequest(SystemFieldsDocument):
	pass
