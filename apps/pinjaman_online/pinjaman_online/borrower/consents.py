"""Borrower consents (UU 27/2022 Pelindungan Data Pribadi): given at registration and at each application,
shown to the borrower, withdrawn where the law allows. The rules (which step needs which consent, which may be
withdrawn) are ``lending/consent.py``; this module keeps them as records.

- The texts are data: **Consent Text** (type, version, title, text, effective from; desk: Koperasi Admin).
  The text shown and asked for is the newest enabled version effective today; a version agreed to is never
  edited (its SHA-256 is kept on the text and on every record).
- Each consent given is a **Consent Record**: user, member, type, the text and version with its hash, given
  at / by, channel, client address, the application it came with; withdrawing sets withdrawn at / by /
  channel / address on it. Records are written only here (the doctype refuses every other writer).
- A client agrees with ``consent: true`` (every consent the step requires, at the current versions) or
  names them (``consents: ["terms", {"type": "marketing", "version": "2026-01"}]``); a version that is not
  the current one is refused (409), so the app shows the text it is asking for.
- Withdrawal: terms never (the contract; the account is closed instead); personal data processing and
  marketing at any time (while data processing is withdrawn no new application is accepted); the credit
  bureau check of an application not while that application is being decided.
"""

import json

import frappe
from frappe import _
from frappe.utils import now_datetime, today

from pinjaman_online.lending import consent as rules
from pinjaman_online.lending.consent import ConsentError
from pinjaman_online.utils import throw_lending_error

TEXT, RECORD = "Consent Text", "Consent Record"
REGISTRATION, APPLICATION = rules.REGISTRATION, rules.APPLICATION
GIVEN, WITHDRAWN = "Given", "Withdrawn"
CONFLICT_CODES = ("CONSENT_VERSION_OUTDATED", "CONSENT_APPLICATION_RUNNING")


class ConsentConflict(frappe.ValidationError):
	"""HTTP 409: the consent cannot be given or withdrawn in the record's present state."""

	http_status_code = 409


def _throw(exc: ConsentError):
	"""Raise a core consent error: 409 for :data:`CONFLICT_CODES`, else the API boundary's 417; the message
	translated, the code in the response."""
	if exc.code in CONFLICT_CODES:
		frappe.local.response["code"] = exc.code
		message = _(exc.template).format(**exc.params) if exc.params else _(exc.template)
		frappe.throw(message, exc=ConsentConflict, title=_("Consent"))
	throw_lending_error(exc, _("Consent"))


# ---------------------------------------------------------------- texts


def current_text(code: str):
	"""The Consent Text shown and asked for now for ``code``: the newest enabled version effective today
	(a dict with name, version, title, text, text_hash), or None when none is configured."""
	rows = frappe.get_all(
		TEXT,
		{"consent_type": rules.TYPES[code], "enabled": 1, "effective_from": ("<=", today())},
		["name", "version", "title", "text", "text_hash", "effective_from"],
		order_by="effective_from desc, creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def texts_payload() -> list[dict]:
	"""The current text of every consent type, for the app: ``type`` (code), ``consent_type``, ``version``,
	``title``, ``text`` (HTML), ``text_hash``, ``required_at`` (steps), ``withdrawable``."""
	texts = []
	for code, label in rules.TYPES.items():
		row = current_text(code)
		if not row:
			continue
		texts.append(
			{
				"type": code,
				"consent_type": label,
				"label": _(label),
				"version": row.version,
				"title": row.title,
				"text": row.text,
				"text_hash": row.text_hash,
				"effective_from": str(row.effective_from),
				"required_at": [step for step, codes in rules.REQUIRED_AT.items() if code in codes],
				"withdrawable": rules.withdrawal_refusal(code) is None,
			}
		)
	return texts


# ---------------------------------------------------------------- giving


def _items(consent_list) -> list[tuple[str, str | None]]:
	"""(code, version or None) of each consent a client named: a JSON list (or its text) of codes or
	``{"type", "version"}`` objects, or codes separated by commas."""
	if consent_list in (None, "", []):
		return []
	if isinstance(consent_list, str):
		text = consent_list.strip()
		try:
			consent_list = json.loads(text) if text.startswith(("[", "{")) else text.split(",")
		except ValueError:
			_throw(ConsentError("The consents are not a list of consent types", "INVALID_INPUT"))
	if isinstance(consent_list, dict):
		consent_list = [consent_list]
	if not isinstance(consent_list, list):
		_throw(ConsentError("The consents are not a list of consent types", "INVALID_INPUT"))
	items = []
	for item in consent_list:
		if isinstance(item, dict):
			code, version = item.get("type") or item.get("consent_type"), item.get("version")
		else:
			code, version = item, None
		try:
			code = rules.code_of(code)
		except ConsentError as exc:
			_throw(exc)
		items.append((code, str(version).strip() if version not in (None, "") else None))
	return items


def parse_given(step: str | None, consent_flag, consent_list) -> dict:
	"""The consents a request gives, as code → current Consent Text (dict): every consent ``step`` requires
	when ``consent_flag`` is true, plus those ``consent_list`` names. Refused: an unknown type (417
	``UNKNOWN_CONSENT``), a version that is not the current one (409 ``CONSENT_VERSION_OUTDATED``), a required
	consent missing (417 ``CONSENT_REQUIRED``), a type with no text configured (417 ``CONSENT_TEXT_MISSING``)."""
	wanted: dict[str, str | None] = {}
	if frappe.utils.sbool(consent_flag) and step:
		wanted.update(dict.fromkeys(rules.REQUIRED_AT.get(step, ())))
	for code, version in _items(consent_list):
		wanted[code] = version or wanted.get(code)
	if step:
		try:
			rules.ensure_given(step, set(wanted))
		except ConsentError as exc:
			_throw(exc)
	given = {}
	for code, version in wanted.items():
		text = current_text(code)
		if not text:
			_throw(
				ConsentError(
					"The {consent} text is not available at the moment: try again later",
					"CONSENT_TEXT_MISSING",
					consent=rules.TYPES[code],
				)
			)
		if version and version != text.version:
			_throw(
				ConsentError(
					"Version {version} of {consent} is not the current one ({current}): show the current text and "
					"ask again",
					"CONSENT_VERSION_OUTDATED",
					version=version[:40],
					consent=rules.TYPES[code],
					current=text.version,
				)
			)
		given[code] = text
	return given


def given_at_registration(consent_flag, consent_list) -> dict:
	""":func:`parse_given` for registration (terms and personal data processing required)."""
	return parse_given(REGISTRATION, consent_flag, consent_list)


def given_for_application(consent_flag, consent_list) -> dict:
	""":func:`parse_given` for a loan application (the credit bureau check required)."""
	return parse_given(APPLICATION, consent_flag, consent_list)


def _client():
	return (getattr(frappe.local, "request_ip", None) or "")[:64] or None


def record(
	user: str,
	member: str | None,
	given: dict,
	step: str | None,
	channel: str = "Mobile App",
	application: str | None = None,
) -> list[str]:
	"""One Consent Record per consent in ``given`` (from :func:`parse_given`), given now by the session user
	from the request's address. A consent of the same version already in force (not withdrawn, and for the
	credit bureau check of the same application) is not recorded twice. Returns the records' names."""
	names = []
	for code, text in given.items():
		in_force = {
			"user": user,
			"consent_type": rules.TYPES[code],
			"status": GIVEN,
			"consent_text": text.name,
		}
		if code == rules.CREDIT_BUREAU:
			in_force["loan_application"] = application or ("is", "not set")
		existing = frappe.db.get_value(RECORD, in_force, "name")
		if existing:
			names.append(existing)
			continue
		doc = frappe.get_doc(
			{
				"doctype": RECORD,
				"user": user,
				"member": member,
				"consent_type": rules.TYPES[code],
				"status": GIVEN,
				"consent_text": text.name,
				"version": text.version,
				"text_hash": text.text_hash,
				"given_at": now_datetime(),
				"given_by": frappe.session.user if frappe.session.user != "Guest" else user,
				"channel": channel,
				"step": step,
				"ip_address": _client(),
				"loan_application": application,
			}
		)
		doc.flags.consent_service = True
		doc.insert(ignore_permissions=True)
		names.append(doc.name)
	return names


def attach_member(user: str, member: str):
	"""Set ``member`` on ``user``'s consent records that have none (an account linked to its member later)."""
	table = frappe.qb.DocType(RECORD)
	frappe.qb.update(table).set(table.member, member).where(
		(table.user == user) & (table.member.isnull())
	).run()


def ensure_can_apply(user: str):
	"""Refuse (417 ``CONSENT_WITHDRAWN``) a new application while the borrower's latest consent to the terms
	or to personal data processing is withdrawn (``lending.consent.NEEDED_TO_APPLY``)."""
	for code in rules.NEEDED_TO_APPLY:
		latest = frappe.db.get_value(
			RECORD,
			{"user": user, "consent_type": rules.TYPES[code]},
			"status",
			order_by="given_at desc, creation desc",
		)
		if latest == WITHDRAWN:
			_throw(
				ConsentError(
					"You withdrew your consent to {consent}: give it again before applying",
					"CONSENT_WITHDRAWN",
					consent=rules.TYPES[code],
				)
			)


def give(user: str, consent_list) -> dict:
	"""The borrower gives the consents named in ``consent_list`` (again), at their current versions; the
	credit bureau check is given with an application only (417 ``CONSENT_WITH_APPLICATION``). Returns
	:func:`listing`."""
	given = parse_given(None, False, consent_list)
	if not given:
		_throw(ConsentError("Name the consents you give", "CONSENT_REQUIRED"))
	if rules.CREDIT_BUREAU in given:
		_throw(
			ConsentError(
				"The credit bureau check is agreed to with each loan application", "CONSENT_WITH_APPLICATION"
			)
		)
	from pinjaman_online.permissions import own_member

	record(user, own_member(user), given, None)
	return listing(user)


def _running(application: str | None) -> bool:
	"""True while ``application`` is still being decided (open and without a loan)."""
	if not application:
		return False
	from pinjaman_online.origination.utils import OPEN_STATES

	state, loan, docstatus = frappe.db.get_value(
		"Loan Application", application, ["workflow_state", "loan", "docstatus"]
	) or (None, None, 2)
	return docstatus < 2 and state in OPEN_STATES and not loan


def withdraw(user: str, consent_type: str, channel: str = "Mobile App") -> dict:
	"""Withdraw the borrower's consents of ``consent_type`` (code or type) in force, recording when, by whom,
	through which channel and from where. Refused: the terms (417 ``CONSENT_NOT_WITHDRAWABLE``), the credit
	bureau check of an application still being decided (409 ``CONSENT_APPLICATION_RUNNING``), nothing in
	force (404). Returns :func:`listing`."""
	try:
		code = rules.code_of(consent_type)
	except ConsentError as exc:
		_throw(exc)
	names = frappe.get_all(
		RECORD,
		{"user": user, "consent_type": rules.TYPES[code], "status": GIVEN},
		["name", "loan_application"],
		order_by="creation asc",
	)
	refusal = rules.withdrawal_refusal(code, any(_running(row.loan_application) for row in names))
	if refusal:
		_throw(refusal)
	if not names:
		frappe.throw(_("You have no consent of this type in force"), frappe.DoesNotExistError)
	for row in names:
		doc = frappe.get_doc(RECORD, row.name, for_update=True)
		doc.update(
			{
				"status": WITHDRAWN,
				"withdrawn_at": now_datetime(),
				"withdrawn_by": frappe.session.user,
				"withdrawal_channel": channel,
				"withdrawal_ip_address": _client(),
			}
		)
		doc.flags.consent_service = True
		doc.save(ignore_permissions=True)
	return listing(user)


def listing(user: str) -> dict:
	"""What the borrower sees: ``texts`` (:func:`texts_payload`), ``consents`` (their records, newest
	first) and ``in_force`` (code → whether a consent of that type is given and not withdrawn)."""
	rows = frappe.get_all(
		RECORD,
		{"user": user},
		[
			"name",
			"consent_type",
			"status",
			"version",
			"text_hash",
			"given_at",
			"withdrawn_at",
			"channel",
			"loan_application",
		],
		order_by="given_at desc, creation desc",
	)
	consents = [
		{
			"consent": row.name,
			"type": rules.CODES.get(row.consent_type),
			"consent_type": row.consent_type,
			"status": row.status,
			"version": row.version,
			"text_hash": row.text_hash,
			"given_at": str(row.given_at) if row.given_at else None,
			"withdrawn_at": str(row.withdrawn_at) if row.withdrawn_at else None,
			"channel": row.channel,
			"loan_application": row.loan_application,
		}
		for row in rows
	]
	in_force = {code: False for code in rules.TYPES}
	for row in consents:
		if row["status"] == GIVEN and row["type"]:
			in_force[row["type"]] = True
	return {"texts": texts_payload(), "consents": consents, "in_force": in_force}
