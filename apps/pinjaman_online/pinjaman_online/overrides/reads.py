"""Read doors of Frappe that need a record-level check: ``frappe.client.*``, reportview, search, list view.

Common to all: ``debug`` (which makes Frappe return the SQL it ran, permission conditions included) is
honoured only for System Managers, and every count or existence answer comes from a permission-aware query
(``frappe.get_list``), so it reveals nothing about records the user may not read.
"""

import inspect

import frappe
import frappe.client
import frappe.desk.listview
import frappe.desk.reportview
import frappe.desk.search
from frappe import _
from frappe.model.db_query import DatabaseQuery, check_parent_permission
from frappe.utils import cint, get_safe_filters
from frappe.utils.data import sbool

from pinjaman_online.permissions import ADMINISTRATOR


def may_debug() -> bool:
	"""True when the session user may see Frappe's debug output (the SQL of a query): System Managers."""
	return frappe.session.user == ADMINISTRATOR or "System Manager" in frappe.get_roles()


def _debug(debug) -> bool:
	return bool(sbool(debug)) and may_debug()


def _check_read(doctype: str, parent: str | None = None):
	"""Raise PermissionError unless the user may read (or select) ``doctype`` at doctype level; a child
	doctype needs ``parent``, a parent doctype with a table of it that the user may read."""
	if not isinstance(doctype, str) or not frappe.db.exists("DocType", doctype):
		raise frappe.PermissionError(_("No permission for {0}").format(doctype))
	if frappe.is_table(doctype):
		check_parent_permission(parent, doctype)
	elif not (frappe.has_permission(doctype, "select") or frappe.has_permission(doctype, "read")):
		frappe.throw(_("No permission for {0}").format(_(doctype)), frappe.PermissionError)


def _check_field_levels(doctype: str, fieldnames: list[str]):
	"""Raise PermissionError when a field of ``fieldnames`` is at a permission level the user may not read."""
	meta = frappe.get_meta(doctype)
	levels = meta.get_permlevel_access("read", user=frappe.session.user)
	for fieldname in fieldnames:
		df = meta.get_field(fieldname)
		if df and df.permlevel and df.permlevel not in levels:
			frappe.throw(_("No permission for {0}").format(_(df.label or fieldname)), frappe.PermissionError)


@frappe.whitelist()
def get_count(doctype, filters=None, debug=False, cache=False, parent=None, distinct=False):
	"""``frappe.client.get_count``: the number of ``doctype`` records matching ``filters`` that the user may
	read (int). Raises PermissionError without read permission on the doctype (a child doctype: on
	``parent``). ``cache`` is ignored (Frappe's count cache is shared by all users).

	Frappe 15.44's version checks no permission at all and counts every record (so any filter, e.g. on a
	NIK, answers questions about other people's records) and returns its SQL with ``debug``; needed on
	every v15 release up to at least 15.44.2, kept on later ones so the rule never depends on the patch
	level."""
	_check_read(doctype, parent)
	filters = get_safe_filters(filters)
	if parent and frappe.get_meta(doctype).istable:
		# the rows of that parent doctype only (a child table may belong to several)
		if isinstance(filters, dict):
			filters = {**filters, "parenttype": parent}
		else:
			filters = [*(filters or []), [doctype, "parenttype", "=", parent]]
	count = frappe.get_list(
		doctype,
		filters=filters,
		fields=[f"count(distinct `tab{doctype}`.`name`) as total_count"],
		parent_doctype=parent,
		order_by=None,
		debug=_debug(debug),
		as_list=True,
	)
	return cint(count[0][0]) if count else 0


@frappe.whitelist()
def get_list(
	doctype,
	fields=None,
	filters=None,
	group_by=None,
	order_by=None,
	limit_start=None,
	limit_page_length=20,
	parent=None,
	debug: bool = False,
	as_dict: bool = True,
	or_filters=None,
):
	"""``frappe.client.get_list`` without ``debug`` for non-System-Managers. The record-level rules of
	child rows (permissions.child_query) apply through Frappe's query; Frappe 15.44 checks only the parent
	*doctype* of a child doctype and returns the SQL with ``debug``. Needed on v15 up to at least 15.44.2."""
	return frappe.client.get_list(
		doctype,
		fields=fields,
		filters=filters,
		group_by=group_by,
		order_by=order_by,
		limit_start=limit_start,
		limit_page_length=limit_page_length,
		parent=parent,
		debug=_debug(debug),
		as_dict=as_dict,
		or_filters=or_filters,
	)


@frappe.whitelist()
def get_value(doctype, fieldname, filters=None, as_dict=True, debug=False, parent=None):
	"""``frappe.client.get_value`` without ``debug`` for non-System-Managers, and with the permission level
	of each field checked on single doctypes (Frappe 15.44 reads a single's fields at every level). Needed on
	v15 up to at least 15.44.2."""
	_check_read(doctype, parent)
	if frappe.get_meta(doctype).issingle:
		try:
			fields = frappe.parse_json(fieldname)
		except (TypeError, ValueError):
			fields = [fieldname]
		_check_field_levels(doctype, fields if isinstance(fields, list) else [fields])
	return frappe.client.get_value(
		doctype, fieldname, filters=filters, as_dict=as_dict, debug=_debug(debug), parent=parent
	)


@frappe.whitelist()
def get_single_value(doctype, field):
	"""``frappe.client.get_single_value`` of a field of a single doctype that the user may read at the
	field's permission level (Frappe 15.44 checks the doctype only). Raises PermissionError otherwise, and
	for a field the doctype does not have. Needed on v15 up to at least 15.44.2."""
	_check_read(doctype)
	meta = frappe.get_meta(doctype)
	if not meta.issingle or not meta.get_field(field):
		frappe.throw(_("No permission for {0}").format(_(doctype)), frappe.PermissionError)
	_check_field_levels(doctype, [field])
	return frappe.client.get_single_value(doctype, field)


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields=None):
	"""``frappe.client.validate_link``: ``{"name": docname}`` (plus the requested ``fields``) when the user
	may read the record, ``{"name": None}`` both when it does not exist and when the user may not read it,
	so it never confirms that a record exists. Frappe 15.44 checks only the doctype and answers from the
	whole table. Needed on v15 up to at least 15.44.2."""
	if not isinstance(doctype, str) or not isinstance(docname, str):
		frappe.throw(_("Document Name must be a string"))
	if doctype == "DocType" or frappe.is_table(doctype):
		return frappe.client.validate_link(doctype, docname, fields=fields)
	_check_read(doctype)
	values = frappe._dict(name=None)
	if frappe.get_meta(doctype).issingle:
		return values
	found = frappe.get_list(doctype, filters={"name": docname}, pluck="name", limit=1, order_by=None)
	if not found:
		return values
	values.name = found[0]
	fields = frappe.parse_json(fields)
	if fields:
		try:
			values.update(frappe.client.get_value(doctype, fields, docname))
		except frappe.PermissionError:
			frappe.clear_last_message()
	return values


def _without_debug():
	if not may_debug():
		frappe.form_dict.pop("debug", None)
	_refuse_unknown_arguments()


# Arguments reportview takes for itself (removed or consumed before DatabaseQuery.execute is called).
_REPORTVIEW_OWN = {
	"cmd",
	"data",
	"doctype",
	"view",
	"user",
	"csrf_token",
	"ignore_permissions",
	"aggregate_on_doctype",
	"aggregate_on_field",
	"aggregate_function",
}


def _refuse_unknown_arguments():
	"""Refuse (417, a message naming it) an argument reportview would hand to ``DatabaseQuery.execute``
	which that function does not take (``parent``, a typo): Frappe answers those with a TypeError and 500."""
	accepted = set(inspect.signature(DatabaseQuery.execute).parameters) | _REPORTVIEW_OWN
	unknown = sorted(set(frappe.form_dict) - accepted)
	if unknown:
		frappe.throw(
			_("Unknown argument: {0}").format(", ".join(unknown)),
			title=_("Invalid request"),
			exc=frappe.ValidationError,
		)


@frappe.whitelist()
@frappe.read_only()
def reportview_get():
	"""``frappe.desk.reportview.get`` without ``debug`` for non-System-Managers (Frappe returns the SQL).
	Needed on v15 up to at least 15.44.2."""
	_without_debug()
	return frappe.desk.reportview.get()


@frappe.whitelist()
@frappe.read_only()
def reportview_get_list():
	"""``frappe.desk.reportview.get_list`` without ``debug`` for non-System-Managers."""
	_without_debug()
	return frappe.desk.reportview.get_list()


@frappe.whitelist()
@frappe.read_only()
def reportview_get_count() -> int:
	"""``frappe.desk.reportview.get_count`` without ``debug`` for non-System-Managers (the count itself is
	permission-aware in 15.44)."""
	_without_debug()
	return frappe.desk.reportview.get_count()


def may_ignore_user_permissions(doctype: str, reference_doctype: str | None) -> bool:
	"""True when a link search may skip User Permissions: ``reference_doctype`` has a Link field to
	``doctype`` marked *Ignore User Permissions*, and ``doctype`` has no record-level rule of its own
	(permission_query_conditions), which Frappe's ``ignore_permissions`` would skip too."""
	if not reference_doctype or not isinstance(reference_doctype, str):
		return False
	if frappe.get_hooks("permission_query_conditions", {}).get(doctype):
		return False
	try:
		meta = frappe.get_meta(reference_doctype)
	except frappe.DoesNotExistError:
		return False
	return any(df.options == doctype and df.ignore_user_permissions for df in meta.get_link_fields())


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters=None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""``frappe.desk.search.search_widget`` where ``ignore_user_permissions`` is honoured only as
	may_ignore_user_permissions says. Frappe 15.44 turns it into ``ignore_permissions`` for any doctype the
	user reads, skipping every record-level rule (a borrower listed every member). Needed on v15 up to at
	least 15.44.2."""
	return frappe.desk.search.search_widget(
		doctype,
		txt,
		query=query,
		searchfield=searchfield,
		start=start,
		page_length=page_length,
		filters=filters,
		filter_fields=filter_fields,
		as_dict=as_dict,
		reference_doctype=reference_doctype,
		ignore_user_permissions=bool(sbool(ignore_user_permissions))
		and may_ignore_user_permissions(doctype, reference_doctype),
	)


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters=None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""``frappe.desk.search.search_link`` through search_widget above."""
	results = search_widget(
		doctype,
		(txt or "").strip(),
		query,
		searchfield=searchfield,
		page_length=page_length,
		filters=filters,
		reference_doctype=reference_doctype,
		ignore_user_permissions=ignore_user_permissions,
	)
	return frappe.desk.search.build_for_autosuggest(results, doctype=doctype)


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""``frappe.desk.listview.get_group_by_count``; for ``assigned_to`` the assignments are counted over
	the records the user may read only (Frappe 15.44 counts them over the whole table, without any
	permission check). Needed on v15 up to at least 15.44.2."""
	_check_read(doctype)
	if field != "assigned_to":
		return frappe.desk.listview.get_group_by_count(doctype, current_filters, field)
	names = frappe.get_list(
		doctype, filters=frappe.parse_json(current_filters), fields=["name"], run=0, order_by=None
	).replace("%", "%%")
	return frappe.db.sql(
		f"""select `tabToDo`.`allocated_to` as name, count(*) as count
		from `tabToDo` join `tabUser` on `tabUser`.`name` = `tabToDo`.`allocated_to`
		where `tabToDo`.`status` != 'Cancelled' and `tabUser`.`user_type` = 'System User'
			and `tabToDo`.`reference_type` = %s and `tabToDo`.`reference_name` in ({names})
		group by `tabToDo`.`allocated_to` order by count desc limit 50""",
		doctype,
		as_dict=True,
	)


def _check_record(doctype, name):
	"""Raise PermissionError unless the user may read the record ``doctype`` ``name`` (one that does not exist
	answers the same)."""
	from pinjaman_online.permissions import can_read_record

	if not isinstance(doctype, str) or not isinstance(name, str) or not can_read_record(doctype, name):
		frappe.throw(_("No permission for {0}").format(_(str(doctype))), frappe.PermissionError)


@frappe.whitelist()
def get_submitted_linked_docs(doctype: str, name: str) -> dict:
	"""``frappe.desk.form.linked_with.get_submitted_linked_docs`` (the desk's *Cancel All*) of a record the user
	may read, listing the linked submitted documents the user may read. Frappe 15.44 ignores the answer of its
	own permission check and lists the names of every document linked to any record named. Needed on v15 up
	to at least 15.44.2."""
	from frappe.desk.form import linked_with

	from pinjaman_online.permissions import can_read_record

	_check_record(doctype, name)
	result = linked_with.get_submitted_linked_docs(doctype, name)
	docs = [d for d in result["docs"] if can_read_record(d["doctype"], d["name"])]
	return {"docs": docs, "count": len(docs)}


@frappe.whitelist()
def get_linked_docs_of(doctype, docname):
	"""``frappe.desk.form.linked_with.get`` (the form's *Connections*) of a record the user may read: Frappe
	15.44 ignores the answer of its own permission check. Needed on v15 up to at least 15.44.2."""
	from frappe.desk.form import linked_with

	_check_record(doctype, docname)
	return linked_with.get(doctype, docname)


@frappe.whitelist()
def get_open_count(doctype: str, name: str, items=None):
	"""``frappe.desk.notifications.get_open_count`` (the counts of a form's *Connections*) over the linked
	doctypes the user may read only. Frappe 15.44 checks the record, then counts the linked records of every
	doctype the client names in ``items`` without any permission (e.g. a member's reconciliation exceptions or
	refresh tokens for a sales user). Needed on v15 up to at least 15.44.2."""
	from frappe.desk.notifications import get_open_count as frappe_get_open_count

	if items is not None:
		items = frappe.parse_json(items)
		if not isinstance(items, list):
			frappe.throw(_("items must be a list of doctypes"))
	else:
		items = [
			d
			for group in frappe.get_meta(doctype).get_dashboard_data().transactions
			for d in group.get("items")
		]
	readable = [
		d
		for d in items
		if isinstance(d, str)
		and frappe.db.exists("DocType", d)
		and (frappe.has_permission(d, "read") or frappe.has_permission(d, "select"))
	]
	return frappe_get_open_count(doctype, name, readable)


def strip_debug_output(response=None, request=None):
	"""``after_request`` hook: remove Frappe's debug output (``_debug_messages`` of /api/method and
	/api/resource, ``debug`` of /api/v2: the SQL a request ran) from JSON answers to anyone but System
	Managers. The overrides above already ignore ``debug``; this covers the routes Frappe does not dispatch
	through whitelisted methods (``/api/v2/document/<doctype>`` lists and ``/api/v2/doctype/<doctype>/count``
	call ``frappe.client.get_list`` and reportview's count directly, with every request argument). Needed on
	v15 up to at least 15.44.2."""
	import json

	if response is None or not getattr(frappe.local, "debug_log", None) or may_debug():
		return
	if response.mimetype != "application/json":
		return
	try:
		body = json.loads(response.get_data())
	except ValueError:
		return
	if isinstance(body, dict) and ("_debug_messages" in body or "debug" in body):
		body.pop("_debug_messages", None)
		body.pop("debug", None)
		response.set_data(json.dumps(body, default=str))
