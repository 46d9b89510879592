import frappe
from frappe import _
from frappe.utils import getdate

from pinjaman_online.lending.errors import InvalidNIK
from pinjaman_online.lending.nik import check_nik_matches
from pinjaman_online.permissions import SystemFieldsDocument


class DuplicateMemberError(frappe.ValidationError):
	pass


class InvalidNIKError(frappe.ValidationError):
	pass


class Member(SystemFieldsDocument):
	def validate(self):
		self.validate_nik()
		self.set_nik_hash()
		self.validate_unique_identity()
		self.validate_pension()
		self.validate_bank_accounts()
		self.validate_documents_private()
		self.guard_verification_fields()
		self.set_documents_verified()

	def on_update(self):
		if self.has_value_changed("status") and self.get_doc_before_save():
			apply_status_to_loans(self)

	def validate_nik(self):
		self.nik = (self.nik or "").strip()
		if not self.nik and self.registration_channel == "Mobile App":
			return  # borrower: the NIK is kept encrypted in the KYC Submission
		try:
			info = check_nik_matches(self.nik, getdate(self.birth_date), self.gender)
		except InvalidNIK as exc:
			frappe.throw(_(str(exc)), title=_("Invalid NIK"), exc=InvalidNIKError)
		self.province = info.province_name

	def set_nik_hash(self):
		"""The keyed lookup hash of the person's NIK (``members/identity.py``). A member who registered in the
		app has no NIK here: the hash registration gave it stays. A NIK typed for a member whose identity came
		with a KYC Submission must be that person's NIK."""
		from pinjaman_online.members.identity import nik_hash

		bound = None
		if not self.is_new():
			bound = frappe.db.get_value(
				"KYC Submission",
				{"member": self.name, "nik_hash": ("is", "set")},
				"nik_hash",
				order_by="creation desc",
			)
		if not self.nik:
			self.nik_hash = self.nik_hash or bound or None
			return
		computed = nik_hash(self.nik)
		if bound and computed != bound:
			frappe.throw(
				_("The NIK entered is not the NIK this member registered and verified in the mobile app"),
				title=_("Invalid NIK"),
				exc=InvalidNIKError,
			)
		self.nik_hash = computed

	def validate_unique_identity(self):
		from pinjaman_online.members.identity import member_by_hash

		# A new member, or a NIK that changes: another member of the person is refused. Two members of one
		# person left from before the hash (patches/member_nik_hashes.py) still save until staff merge them.
		checked = self.nik_hash and (self.is_new() or self.has_value_changed("nik_hash"))
		other = member_by_hash(self.nik_hash, exclude=self.name) if checked else None
		if other:
			channel = frappe.db.get_value("Member", other, "registration_channel")
			frappe.throw(
				_(
					"This person (NIK) is already member {0}, registered in the mobile app: complete that "
					"member's data (pension, documents) instead of registering them again"
				).format(frappe.bold(other))
				if channel == "Mobile App"
				else _("{0} is already registered to member {1}").format(_("NIK"), frappe.bold(other)),
				title=_("Duplicate member"),
				exc=DuplicateMemberError,
			)
		for field, label in (("nik", _("NIK")), ("pension_number", _("Pension Number"))):
			if not self.get(field):  # borrower: a self-registered (Mobile App) member has no pension number
				continue
			other = frappe.db.get_value("Member", {field: self.get(field), "name": ("!=", self.name)}, "name")
			if other:
				frappe.throw(
					_("{0} is already registered to member {1}").format(label, frappe.bold(other)),
					title=_("Duplicate member"),
					exc=DuplicateMemberError,
				)

	def validate_pension(self):
		self.pension_number = (self.pension_number or "").strip()
		if self.registration_channel == "Mobile App" and not self.pension_number:
			# borrower: self-registered, not a pensioner (yet); NULL keeps the unique index free
			self.pension_number = None
			return
		if (self.monthly_pension_benefit or 0) <= 0:
			frappe.throw(_("Monthly pension benefit must be above zero"))

	def validate_bank_accounts(self):
		defaults = [row for row in self.bank_accounts if row.is_default]
		if len(defaults) > 1:
			frappe.throw(_("Only one bank account can be the default for disbursement"))
		if self.bank_accounts and not defaults:
			self.bank_accounts[0].is_default = 1

	def validate_documents_private(self):
		for row in self.documents:
			if row.file and not row.file.startswith("/private/files/"):
				frappe.throw(
					_("Row {0}: {1} must be uploaded as a private file").format(row.idx, row.document_type),
					title=_("Personal data"),
				)

	def guard_verification_fields(self):
		"""A changed file loses its verification; verification itself happens only through verify_document."""
		before = {
			row.name: row for row in (self.get_doc_before_save() or frappe._dict(documents=[])).documents
		}
		for row in self.documents:
			old = before.get(row.name)
			if row.flags.verifying:
				continue
			if not old or old.file != row.file or old.document_type != row.document_type:
				row.verified, row.verified_by, row.verified_on = 0, None, None
			else:
				row.verified, row.verified_by, row.verified_on = (
					old.verified,
					old.verified_by,
					old.verified_on,
				)

	def set_documents_verified(self):
		self.documents_verified = int(not missing_documents(self))


def required_document_types() -> list[str]:
	settings = frappe.get_cached_doc("Pinjaman Online Settings")
	return [row.document_type for row in settings.required_member_documents]


def missing_documents(member) -> list[str]:
	"""The mandatory document types (Pinjaman Online Settings) that the member lacks verified."""
	verified = {row.document_type for row in member.documents if row.verified}
	return [t for t in required_document_types() if t not in verified]


ACTIONS = {"Inactive": "on_member_inactive", "Deceased": "on_member_deceased"}
DEFAULT_ACTIONS = {
	"on_member_inactive": "Mark Loans Default",
	"on_member_deceased": "Flag for Settlement by Heirs",
}


def apply_status_to_loans(member):
	"""Seed 004 §1 flow 6: a member who becomes inactive or dies changes their live loans, as Pinjaman Online
	Settings says (mark Default, or flag for settlement by the heirs); every change is saved through the Loan
	document, so it is in the loan's version history, with a comment naming the cause."""
	setting = ACTIONS.get(member.status)
	if not setting:
		return
	action = frappe.get_cached_doc("Pinjaman Online Settings").get(setting) or DEFAULT_ACTIONS[setting]
	if action == "No Change":
		return
	for name in frappe.get_all(
		"Loan", filters={"member": member.name, "status": ("in", ("Active", "Default"))}, pluck="name"
	):
		loan = frappe.get_doc("Loan", name)
		if action == "Mark Loans Default":
			loan.status, loan.default_date = "Default", loan.default_date or frappe.utils.today()
			loan.flags.status_reason = f"member {member.name} is {member.status}"
		else:
			loan.heir_settlement_required = 1
		loan.flags.ignore_permissions = True
		loan.save(ignore_version=False)
		loan.add_comment(
			"Info", _("{0}: member {1} is now {2}").format(_(action), member.name, _(member.status))
		)
