"""Record-level read permissions, gathered for every door Frappe opens.

Role permissions (which role may read, write, submit a doctype, at which permission level) are DocPerms an
admin edits in Role Permission Manager; the README's role matrix is generated from them
(``pinjaman_online.role_matrix``). The rules here narrow reads to records, through Frappe's own hooks, so that
they hold on every entry point that lists or loads documents (``/api/resource``, ``/api/v2``,
``frappe.client.*``, reportview, search, form load, reports, files):

- ``permission_query_conditions`` (hooks.py) add a SQL condition to every permission-aware list query
  (``frappe.get_list``: REST lists, ``frappe.client.get_list/get_value``, reportview, search, counts);
- ``has_permission`` (hooks.py) decide on one loaded document (REST get, ``frappe.client.get``, getdoc,
  file downloads). Such a hook can only deny: it returns False, or None to leave the decision to Frappe.

The rules:

1. **Borrowers see their own records.** A user whose read on a doctype comes only from the borrower role
   (``Member``; see ``borrower_view``) sees the Member linked to their user, and records of that member
   (by ``member``, by ``loan`` of a loan of that member, or by ``user``).
2. **A child row is readable only by who can read its parent record** (``child_query``,
   ``child_has_permission``): the row's ``parenttype`` must be a doctype with a table field of the row's
   doctype at a permission level the user reads, and its ``parent`` must be in that doctype's own permitted
   list (role permissions, User Permissions such as a sales agent's branch, ``if_owner``, shares and the
   doctype's own query conditions).
3. **Records about a document follow that document**: File (private files attached to a document), Version,
   Comment, Communication and Activity Log are readable only by who can read the document they refer to; a
   Notification Log only by the user it is for.
4. **Records of a member follow the member** for staff whose reading of members is narrowed by User
   Permissions (a sales agent's branch): loans, payments, installments and the other records of a member
   (by ``member`` or by ``loan``) only for members they may read (``member_restriction``).

Methods Frappe whitelists without a record-level check are overridden in ``pinjaman_online.overrides``.
"""

import frappe

ADMINISTRATOR = "Administrator"
BORROWER_ROLE = "Member"
STAFF_ROLES = frozenset(
	{
		"System Manager",
		"Koperasi Admin",
		"Sales",
		"Sales Supervisor",
		"Credit Analyst",
		"Committee SPV",
		"Committee Manager",
		"Director",
		"Finance",
		"Auditor",
		"Funder",
		"Credit Engine",
	}
)
NONE = "1=0"  # a condition no row meets


def is_borrower(user: str | None = None) -> bool:
	"""True when ``user`` holds the borrower role ``Member`` and no staff role (STAFF_ROLES)."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return False
	roles = set(frappe.get_roles(user))
	return BORROWER_ROLE in roles and not roles & STAFF_ROLES


def own_member(user: str) -> str | None:
	"""The name of the Member linked to ``user`` (``Member.user``), or None."""
	return frappe.db.get_value("Member", {"user": user}, "name")


def borrower_view(doctype: str, user: str | None = None) -> bool:
	"""True when ``user`` reads ``doctype`` only through the borrower role: every DocPerm (or Custom DocPerm)
	at level 0 that grants the user read (or select) on it is the ``Member`` role's. Such a user sees only
	their own records of ``doctype``; a user who also holds a role that reads the doctype sees what that
	role grants."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR or BORROWER_ROLE not in frappe.get_roles(user):
		return False
	granting = {
		p.role
		for p in frappe.permissions.get_valid_perms(doctype, user)
		if (p.read or p.select) and not p.permlevel
	}
	return bool(granting) and granting <= {BORROWER_ROLE}


def _col(doctype: str, fieldname: str) -> str:
	return f"`tab{doctype}`.`{fieldname}`"


# ---- rule 1: borrowers see their own records
# Doctypes with these link fields get the matching condition (hooks.py lists them); the hook does nothing
# unless the user reads the doctype through the borrower role only.

BY_MEMBER = (
	"Loan Application",
	"Loan",
	"Loan Payment Request",
	"Loan Payment",
	"Loan Disbursement",
	"Credit Score Result",
	"Credit Analysis",
	"KYC Submission",
	"Refund Request",
	"Aging Snapshot",
)
BY_LOAN = ("Loan Installment", "Loan Penalty", "Loan Restructure", "Loan Settlement", "Payment Reversal")
BY_USER = ("Borrower Notification", "Borrower Device", "Borrower Event", "Refresh Token", "OTP Challenge")


def _own_condition(doctype: str, user: str) -> str:
	if doctype == "Member":
		return f"{_col('Member', 'user')} = {frappe.db.escape(user)}"
	if doctype in BY_USER:
		return f"{_col(doctype, 'user')} = {frappe.db.escape(user)}"
	member = frappe.db.escape(own_member(user) or "")
	if doctype in BY_LOAN:
		return f"{_col(doctype, 'loan')} in (select `name` from `tabLoan` where `member` = {member})"
	return f"{_col(doctype, 'member')} = {member}"


def _is_own(doc, user: str) -> bool:
	if doc.doctype == "Member":
		return bool(doc.get("user")) and doc.user == user
	if doc.doctype in BY_USER:
		return bool(doc.get("user")) and doc.user == user
	member = own_member(user)
	if not member:
		return False
	if doc.doctype in BY_LOAN:
		return bool(doc.get("loan")) and frappe.db.get_value("Loan", doc.loan, "member") == member
	return doc.get("member") == member


def own_records_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of the borrower's own records (rule 1): "" for staff."""
	user = user or frappe.session.user
	if not borrower_view(doctype, user):
		return ""
	return _own_condition(doctype, user)


def own_records_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of the borrower's own records (rule 1): False for another member's record."""
	user = user or frappe.session.user
	if not borrower_view(doc.doctype, user):
		return None
	return None if _is_own(doc, user) else False


# ---- rule 4: records of a member follow the member
# Staff whose reading of members is narrowed (a sales agent's User Permission on their Sales Branch narrows
# Member, Loan Application and the other doctypes linking to Sales Branch) see the records of a member —
# every doctype with a ``member`` link to Member or a ``loan`` link to Loan: loans, payments, installments,
# disbursements, status changes… — only for members they may read. Hooked for every doctype ("*").


def member_restriction(user: str) -> str:
	"""The SQL condition on `tabMember` that narrows ``user``'s reading of members (User Permissions, e.g. a
	sales agent's branch), or "" when the user reads every member or cannot read members at all."""
	if user == ADMINISTRATOR:
		return ""
	from frappe.model.db_query import DatabaseQuery

	if not frappe.permissions.get_user_permissions(user):
		return ""
	meta = frappe.get_meta("Member")
	if not frappe.permissions.get_role_permissions(meta, user=user).get("read"):
		return ""
	return DatabaseQuery("Member", user=user).build_match_conditions() or ""


def _member_link(doctype: str) -> str | None:
	"""``member`` or ``loan`` when ``doctype`` links a member's record by that field, else None."""
	if not doctype or doctype == "Member":
		return None
	meta = frappe.get_meta(doctype)
	if meta.istable:
		return None
	for fieldname, target in (("member", "Member"), ("loan", "Loan")):
		df = meta.get_field(fieldname)
		if df and df.fieldtype == "Link" and df.options == target:
			return fieldname
	return None


def member_scope_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions for every doctype (rule 4): "" unless the user's members are narrowed."""
	user = user or frappe.session.user
	link = _member_link(doctype)
	if not link or borrower_view(doctype, user):
		return ""
	restriction = member_restriction(user)
	if not restriction:
		return ""
	members = f"select `tabMember`.`name` from `tabMember` where {restriction}"
	if link == "loan":
		return f"({_col(doctype, 'loan')} is null or {_col(doctype, 'loan')} in (select `name` from `tabLoan` where `member` in ({members})))"
	return f"({_col(doctype, 'member')} is null or {_col(doctype, 'member')} in ({members}))"


def member_scope_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission for every doctype (rule 4): False for a record of a member the user may not read."""
	user = user or frappe.session.user
	link = _member_link(doc.doctype)
	if not link or borrower_view(doc.doctype, user):
		return None
	restriction = member_restriction(user)
	if not restriction:
		return None
	member = (
		doc.get("member")
		if link == "member"
		else (doc.get("loan") and frappe.db.get_value("Loan", doc.loan, "member"))
	)
	if not member:
		return None
	readable = frappe.db.sql(
		f"select 1 from `tabMember` where `tabMember`.`name` = %s and {restriction}", member
	)
	return None if readable else False


# Names kept for hooks written before the rules were generalised.
member_query = member_child_query = installment_query = own_records_query
member_has_permission = member_child_has_permission = installment_has_permission = own_records_has_permission


# ---- readable names of any doctype, as SQL


def readable_condition(doctype: str, column: str, user: str | None = None, ptype: str = "read") -> str:
	"""A SQL condition true when ``column`` (e.g. "`tabFile`.`attached_to_name`") names a ``doctype`` record
	that ``user`` may read: the doctype's role permissions (``ptype`` "read"; "select" also accepts select
	permission), User Permissions, ``if_owner``, shares and its permission query conditions, exactly as
	``frappe.get_list`` applies them. ``NONE`` when the user cannot read the doctype at all."""
	from frappe.model.db_query import DatabaseQuery

	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return "1=1"
	meta = frappe.get_meta(doctype)
	if meta.istable:
		return NONE
	role_permissions = frappe.permissions.get_role_permissions(meta, user=user)
	allowed = role_permissions.get("read") or (ptype == "select" and role_permissions.get("select"))
	if meta.issingle:
		return "1=1" if allowed else NONE
	if not allowed:
		# no role grants it: only documents shared with the user (Frappe's list does the same)
		shared = frappe.share.get_shared(doctype, user)
		if not shared:
			return NONE
		return f"{column} in ({', '.join(frappe.db.escape(s) for s in shared)})"
	condition = DatabaseQuery(doctype, user=user).build_match_conditions()
	if not condition:
		return f"{column} is not null"
	return f"{column} in (select `tab{doctype}`.`name` from `tab{doctype}` where {condition})"


def can_read_record(doctype: str, name: str, user: str | None = None) -> bool:
	"""True when ``user`` may read the record ``doctype`` ``name`` (False when it does not exist)."""
	user = user or frappe.session.user
	if not doctype or not name:
		return False
	messages = len(frappe.local.message_log)
	try:
		if not frappe.db.exists(doctype, name):
			return False
		return bool(frappe.get_doc(doctype, name).has_permission("read", user=user))
	except (frappe.DoesNotExistError, frappe.PermissionError, ImportError):
		return False
	finally:
		# a refusal is an answer here, not a message for the client
		del frappe.local.message_log[messages:]


# ---- rule 2: child rows follow their parent record


def table_parents(child_doctype: str) -> dict[str, list[str]]:
	"""Parent doctype → its Table fields of ``child_doctype`` (DocField and Custom Field), for parents that
	are not tables themselves."""
	parents: dict[str, list[str]] = {}
	for df in frappe.get_all(
		"DocField",
		filters={"options": child_doctype, "fieldtype": ("in", ("Table", "Table MultiSelect"))},
		fields=["parent", "fieldname"],
	) + frappe.get_all(
		"Custom Field",
		filters={"options": child_doctype, "fieldtype": ("in", ("Table", "Table MultiSelect"))},
		fields=["dt as parent", "fieldname"],
	):
		if not frappe.get_meta(df.parent).istable:
			parents.setdefault(df.parent, []).append(df.fieldname)
	return parents


def _readable_tablefields(parent: str, fieldnames: list[str], user: str) -> list[str]:
	meta = frappe.get_meta(parent)
	levels = meta.get_permlevel_access("read", user=user)
	return [
		f
		for f in fieldnames
		if (meta.get_field(f).permlevel or 0) == 0 or meta.get_field(f).permlevel in levels
	]


def child_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of a child doctype (rule 2): rows whose parenttype, parentfield and
	parent name a record of a parent doctype that ``user`` may read, through a table field they may read."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return ""
	clauses = []
	for parent, fieldnames in sorted(table_parents(doctype).items()):
		if user != ADMINISTRATOR:
			fieldnames = _readable_tablefields(parent, fieldnames, user)
		if not fieldnames:
			continue
		names = readable_condition(parent, _col(doctype, "parent"), user)
		if names == NONE:
			continue
		fields = ", ".join(frappe.db.escape(f) for f in fieldnames)
		clauses.append(
			f"({_col(doctype, 'parenttype')} = {frappe.db.escape(parent)}"
			f" and {_col(doctype, 'parentfield')} in ({fields}) and {names})"
		)
	return "(" + " or ".join(clauses) + ")" if clauses else NONE


def child_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of a child row (rule 2): False unless ``user`` may read (for "read"/"select"/"print"…)
	or ``ptype`` the parent record through a table field they may read. Frappe 15.44 already checks the
	parent record for a loaded child row; this keeps the rule when a caller asks the row itself."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return None
	parents = table_parents(doc.doctype)
	if doc.get("parenttype") not in parents or doc.get("parentfield") not in _readable_tablefields(
		doc.parenttype, parents.get(doc.parenttype, []), user
	):
		return False
	check = ptype if ptype in ("write", "create", "delete", "submit", "cancel") else "read"
	if check == "read":
		return None if can_read_record(doc.parenttype, doc.parent, user) else False
	if not frappe.db.exists(doc.parenttype, doc.parent):
		return None  # a new parent: Frappe checks create on it
	messages = len(frappe.local.message_log)
	ok = frappe.get_doc(doc.parenttype, doc.parent).has_permission(check, user=user)
	del frappe.local.message_log[messages:]
	return None if ok else False


# ---- rule 3: records about a document follow the document

# doctype → (reference doctype column, reference name column)
REFERENCE_COLUMNS = {
	"Version": ("ref_doctype", "docname"),
	"Comment": ("reference_doctype", "reference_name"),
	"Communication": ("reference_doctype", "reference_name"),
	"Activity Log": ("reference_doctype", "reference_name"),
	"File": ("attached_to_doctype", "attached_to_name"),
}


def _referenced_doctypes(doctype: str) -> list[str]:
	dt_col, _name_col = REFERENCE_COLUMNS[doctype]
	return [
		d
		for d in frappe.db.sql_list(
			f"select distinct `{dt_col}` from `tab{doctype}` where ifnull(`{dt_col}`, '') != ''"
		)
		if frappe.db.exists("DocType", d)
	]


def reference_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of Version, Comment, Communication, Activity Log and File (rule 3): rows
	about no document (a user's own, e.g. an unattached file they uploaded, stay under Frappe's own rules),
	or about a document ``user`` may read. A File's own uploader keeps seeing its record."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return ""
	dt_col, name_col = REFERENCE_COLUMNS[doctype]
	clauses = [f"ifnull({_col(doctype, dt_col)}, '') = ''"]
	if doctype == "File":
		clauses.append(f"{_col('File', 'owner')} = {frappe.db.escape(user)}")
	for ref in _referenced_doctypes(doctype):
		names = readable_condition(ref, _col(doctype, name_col), user)
		if names != NONE:
			clauses.append(f"({_col(doctype, dt_col)} = {frappe.db.escape(ref)} and {names})")
	return "(" + " or ".join(clauses) + ")"


def reference_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of Version, Comment, Communication and Activity Log (rule 3): False when the record
	refers to a document ``user`` may not read."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return None
	dt_col, name_col = REFERENCE_COLUMNS[doc.doctype]
	if not doc.get(dt_col) or not doc.get(name_col):
		return None
	if frappe.get_meta(doc.get(dt_col)).istable:
		return False
	return None if can_read_record(doc.get(dt_col), doc.get(name_col), user) else False


def file_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of File (rule 3), on top of Frappe's (owner, or the attached document).

	A private file's content (its ``file_url``) is readable only through the File record that first stored
	it: another File record pointing at the same URL (which anyone with File create can make, attached to
	a document of their own) grants nothing, so knowing a private URL is never enough. A private file
	attached to a document is readable by its uploader and by who can read that document."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR or not doc.get("is_private") or doc.get("is_folder"):
		return None
	if ptype not in (None, "read", "select", "print", "email", "share", "export"):
		return None
	if doc.get("file_url"):
		first = frappe.get_all(
			"File",
			filters={"file_url": doc.file_url, "is_folder": 0},
			fields=["name"],
			order_by="creation asc, name asc",
			limit=1,
		)
		if first and first[0].name != doc.name:
			return file_has_permission(frappe.get_doc("File", first[0].name), ptype, user)
	if doc.get("owner") == user and user != "Guest":
		return None  # the one who stored the file (Frappe's owner rule)
	if doc.get("attached_to_doctype") and doc.get("attached_to_name"):
		return None if can_read_record(doc.attached_to_doctype, doc.attached_to_name, user) else False
	return None


def refuse_foreign_private_file(doc, method: str | None = None):
	"""File ``before_insert`` and ``validate`` (doc_events): refuse a File record that points at a private
	file already stored by other File records, none of which the user may download, unless the file's bytes
	came with this request (an upload of identical content, which Frappe stores once).

	Frappe serves ``/private/files/…`` to whoever may read *any* File record with that URL, and a File's
	owner may always read it (``frappe.core.doctype.file.file.has_permission``, called directly by the
	download, not through the has_permission hooks): without this, anyone with File create who knows or
	guesses a private URL (names like ``KTP-….png``) would get the file by making a File record of their own
	(Frappe 15.44; kept on every release). Raises ``frappe.PermissionError``."""
	from frappe.core.doctype.file.file import has_permission as may_download

	if not doc.get("is_private") or doc.get("is_folder") or not doc.get("file_url"):
		return
	if method == "validate" and (doc.is_new() or not doc.has_value_changed("file_url")):
		return
	user = frappe.session.user
	request = getattr(frappe.local, "request", None)
	if user == ADMINISTRATOR or not request:
		return
	if method == "before_insert" and (
		doc.flags.ignore_permissions  # the app's own code storing bytes it holds
		or request.files
		or frappe.form_dict.get("content")
		or frappe.form_dict.get("filedata")
	):
		return
	others = frappe.get_all(
		"File", filters={"file_url": doc.file_url, "name": ("!=", doc.name or "")}, pluck="name"
	)
	if others and not any(may_download(frappe.get_doc("File", n), "read", user=user) for n in others):
		frappe.throw(frappe._("You do not have permission to use this file"), frappe.PermissionError)


def refuse_unreadable_follow(doc, method: str | None = None):
	"""Document Follow ``before_insert`` (doc_events): refuse (PermissionError) a follow of a record its
	follower may not read. The follower is mailed a digest of the record's changes (the Version data: old
	and new values) and comments, read without any permission check; Frappe 15.44's whitelisted
	``follow_document`` lets any desk user follow any record by name, for any user."""
	if doc.user == ADMINISTRATOR or frappe.flags.in_install:
		return
	if not can_read_record(doc.ref_doctype, doc.ref_docname, doc.user):
		frappe.throw(
			frappe._("No permission for {0}").format(frappe._(doc.ref_doctype or "")), frappe.PermissionError
		)


def notification_log_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of Notification Log: the user's own (as Frappe's own hook says; kept so
	the rule does not depend on Frappe's)."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return ""
	return f"`tabNotification Log`.`for_user` = {frappe.db.escape(user)}"


def notification_log_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of Notification Log: only the user it is for reads it (Frappe's list shows only
	those, but in 15.44 a record is readable by name by anyone)."""
	user = user or frappe.session.user
	if user == ADMINISTRATOR:
		return None
	return None if doc.get("for_user") == user else False


# ---- system-written records
# Ledger Entry rows are written only by accounting/posting.py (a multi-row INSERT) and corrected by reversing
# journals. No DocPerm grants create, write or delete on it; this hook refuses them also to Administrator and
# to any role an admin might add in Role Permission Manager, on every door that checks a document permission
# (/api/resource, /api/v2, frappe.client.*, savedocs, bulk update, Data Import); the controller refuses the
# rest (LedgerEntry.before_insert / validate / on_trash).
SYSTEM_WRITTEN = ("Ledger Entry", "Idempotency Key", "Loan Loss Provision")
READ_PTYPES = frozenset({None, "read", "select", "report", "export", "print", "email", "share"})


def ledger_entry_query(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions of system-written doctypes: reads follow the DocPerms ("" narrows nothing),
	and a borrower (who holds no read on them) sees none."""
	return NONE if is_borrower(user) else ""


def ledger_entry_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""has_permission of system-written doctypes (SYSTEM_WRITTEN): False for any right but reading."""
	return None if ptype in READ_PTYPES else False


# ---- field-level writes
# Fields only the app's code sets (committee votes, pre-check results, credit scores, loan figures, statuses,
# links between records…) sit at permission level SYSTEM_PERMLEVEL. Every role that reads the doctype reads
# that level; no DocPerm grants write on it. Frappe's Document.validate_higher_perm_levels then puts back the
# stored value (a new record: the default) of every such field a client sent, on every door that saves a
# document (/api/resource, /api/v2, frappe.client.*, savedocs, apply_workflow, Data Import), before any
# controller code runs; a Table field at that level keeps its rows exactly (none added, edited or removed).
# Code that writes those fields either does it in the controller's hooks (validate, before_submit,
# before_update_after_submit…), which run after that reset, or with write_as_system below, or with db_set.

SYSTEM_PERMLEVEL = 2


def write_as_system(doc, *ptypes: str):
	"""Let the app's code save ``doc`` with the system-set fields it has written.

	Checks first that the session user has each permission in ``ptypes`` ("create", "write", "submit"…)
	on ``doc`` (raises ``frappe.PermissionError`` otherwise), then sets ``doc.flags.ignore_permissions`` so
	that the save neither checks again nor resets the fields at SYSTEM_PERMLEVEL. Returns ``doc``.

	Call it before the code writes any such field: an existing ``doc`` whose system-set fields already differ
	from the stored record is a copy a client wrote (a whitelisted controller method called through
	``run_doc_method``, which builds the document from the request), refused with SystemFieldWriteError.
	"""
	for ptype in ptypes:
		doc.check_permission(ptype)
	refuse_system_field_writes(doc)
	doc.flags.ignore_permissions = True
	return doc


def system_fields(doctype: str) -> list[str]:
	"""The fieldnames of ``doctype`` at SYSTEM_PERMLEVEL (written by code only), in form order."""
	return [df.fieldname for df in frappe.get_meta(doctype).fields if df.permlevel == SYSTEM_PERMLEVEL]


from frappe import _
from frappe.model import no_value_fields
from frappe.model.document import Document
from frappe.utils import cstr, flt, get_datetime, getdate


class SystemFieldWriteError(frappe.PermissionError):
	"""A client tried to change a field that only the system sets (HTTP 403)."""


def refuse_system_field_writes(doc) -> None:
	"""Refuse (SystemFieldWriteError, 403) a client's save of an existing ``doc`` that changes a field at
	SYSTEM_PERMLEVEL: a Table field's rows added, removed or edited, or any other value changed.

	Runs where Frappe would otherwise reset those values silently (Document.validate_higher_perm_levels),
	i.e. before any controller code, and only for what Frappe would reset: not for Administrator, a save
	with ``ignore_permissions`` (the app's own code) or a user granted write at that level. A new record is
	left to Frappe's reset to the defaults, so that an amended or duplicated copy still saves. Values are
	compared as values (``"5"`` and ``5.0``, ``None`` and ``0`` or ``""``, a date and its text are equal).
	"""
	if doc.flags.ignore_permissions or frappe.flags.in_install or frappe.session.user == "Administrator":
		return
	if doc.is_new() or SYSTEM_PERMLEVEL in doc.get_permlevel_access("write"):
		return
	before = doc.get_latest()
	if not before:
		return
	tolerated = RESET_NOT_REFUSED.get(doc.doctype, ())
	changed = [
		df
		for df in doc.meta.fields
		if df.permlevel == SYSTEM_PERMLEVEL
		and df.fieldname not in tolerated
		and _stored_form(doc, df) != _stored_form(before, df)
	]
	if changed:
		frappe.throw(
			_("{0} of {1} {2} are set by the system: they cannot be changed").format(
				", ".join(_(df.label or df.fieldname) for df in changed), _(doc.doctype), doc.name
			),
			SystemFieldWriteError,
			title=_("Not permitted"),
		)


# System-set fields that code updates without touching the record's ``modified`` (a device's last use at
# every biometric login): a form opened before such an update still holds the older value and may be saved
# (an admin revoking the device), so a difference there is reset by Frappe, not refused.
RESET_NOT_REFUSED = {"Borrower Device": ("last_used_on",)}

NUMERIC_FIELDTYPES = frozenset({"Int", "Check", "Float", "Currency", "Percent", "Rating", "Duration"})


def _stored_form(doc, df):
	"""``doc``'s value of field ``df`` in a form that compares equal whatever way a client spelled it."""
	if df.fieldtype in ("Table", "Table MultiSelect"):
		child = frappe.get_meta(df.options)
		return [
			(
				row.name,
				*(
					_stored_form(row, cdf)
					for cdf in child.fields
					if cdf.fieldtype not in no_value_fields
					and not cdf.is_virtual  # virtual: computed, not stored
				),
			)
			for row in doc.get(df.fieldname) or []
		]
	value = doc.get(df.fieldname)
	if value in (None, ""):
		return None
	if df.fieldtype in NUMERIC_FIELDTYPES:
		number = round(flt(value), 6)
		return number or None
	if df.fieldtype == "Date":
		return getdate(value)
	if df.fieldtype == "Datetime":
		return get_datetime(value)
	return cstr(value)


def refuse_self_approval(doc) -> None:
	"""Refuse (403) a change of ``doc``'s workflow state by the record's creator when every transition of the
	workflow between those two states that the user's roles may take forbids self-approval.

	``frappe.model.workflow.apply_workflow`` checks this, but Frappe's check of a state written by any other
	door (``validate_workflow``: PUT, set_value, savedocs…) does not, so the creator of an application who
	also holds a committee role could approve it by writing the state field.
	"""
	if doc.flags.ignore_permissions or frappe.session.user == "Administrator" or doc.is_new():
		return
	if doc.owner != frappe.session.user:
		return
	from frappe.model.workflow import get_workflow_name

	name = get_workflow_name(doc.doctype)
	if not name:
		return
	workflow = frappe.get_cached_doc("Workflow", name)
	before = doc.get_latest()
	field = workflow.workflow_state_field
	old, new = before.get(field) if before else None, doc.get(field)
	if not before or old == new:
		return
	roles = set(frappe.get_roles())
	allowed = [
		t for t in workflow.transitions if t.state == old and t.next_state == new and t.allowed in roles
	]
	if allowed and not any(t.allow_self_approval for t in allowed):
		frappe.throw(_("Self approval is not allowed"), SystemFieldWriteError, title=_("Not permitted"))


class SystemFieldsDocument(Document):
	"""Base class of the controllers of doctypes with fields at SYSTEM_PERMLEVEL: a client that changes one
	of them on an existing record is refused with a 403 instead of being silently reset, and so is the
	creator who moves the record's workflow state where the workflow forbids self-approval."""

	def validate_higher_perm_levels(self):
		refuse_system_field_writes(self)
		refuse_self_approval(self)
		super().validate_higher_perm_levels()
