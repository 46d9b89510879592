from pinjaman_online.permissions import SystemFieldsDocument


class BorrowerDevice(SystemFieldsDocument):
	pass
