"""The README's role matrix, generated from a site's DocPerms so that the document and the site agree.

``render`` (pure Python, no Frappe) turns effective permission rows into a Markdown table; ``collect`` reads
them from the site (Custom DocPerms replace a doctype's DocPerms when it has any, as Frappe applies them);
``update_readme`` writes the table between the README's ``<!-- role-matrix:start -->`` and
``<!-- role-matrix:end -->`` markers. Run ``bin/role-matrix [SITE]`` after changing permissions; a Tier 2
test fails when the README and the test site's DocPerms differ.
"""

from pathlib import Path

START = "<!-- role-matrix:start -->"
END = "<!-- role-matrix:end -->"
README = Path(__file__).resolve().parents[3] / "README.md"
ROLE_ORDER = (
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
	"Member",
)
RIGHTS = (("read", "R"), ("write", "W"), ("create", "C"), ("delete", "D"), ("submit", "S"), ("cancel", "X"))
FIELDS = ("parent", "role", "permlevel", "if_owner") + tuple(r for r, _ in RIGHTS)


def effective(std: list[dict], custom: list[dict]) -> list[dict]:
	"""The permission rows Frappe applies: a doctype's Custom DocPerms when it has any, else its DocPerms."""
	with_custom = {p["parent"] for p in custom}
	return list(custom) + [p for p in std if p["parent"] not in with_custom]


def _cell(rows: list[dict]) -> str:
	parts = []
	for level in sorted({int(r.get("permlevel") or 0) for r in rows}):
		at = [r for r in rows if int(r.get("permlevel") or 0) == level]
		letters = "".join(ch for right, ch in RIGHTS if any(r.get(right) for r in at))
		if not letters:
			continue
		if any(r.get("if_owner") for r in at) and not any(
			r.get("read") and not r.get("if_owner") for r in at
		):
			letters += " own"
		parts.append(letters if level == 0 else f"{level}:{letters}")
	return " ".join(parts)


def render(rows: list[dict], doctypes: dict[str, dict]) -> str:
	"""Markdown for the effective permission ``rows`` of ``doctypes`` (name → {"istable", "issingle"}).

	One line per doctype that is not a child table, one column per role that holds a right somewhere; a cell
	lists the rights at level 0 (R read, W write, C create, D delete, S submit, X cancel; "own": only records
	the user created), then at each higher permission level as ``level:rights``. Child tables follow their
	parent record and are listed below the table. Deterministic: same rows, same text."""
	rows = [r for r in rows if r["parent"] in doctypes]
	roles = sorted(
		{r["role"] for r in rows if any(r.get(right) for right, _ in RIGHTS)},
		key=lambda role: (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role),
	)
	lines = ["| Doctype | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
	for name in sorted(d for d, meta in doctypes.items() if not meta.get("istable")):
		mine = [r for r in rows if r["parent"] == name]
		cells = [_cell([r for r in mine if r["role"] == role]) for role in roles]
		label = f"{name} (single)" if doctypes[name].get("issingle") else name
		lines.append(f"| {label} | " + " | ".join(cells) + " |")
	children = sorted(d for d, meta in doctypes.items() if meta.get("istable"))
	lines += [
		"",
		(
			"R read, W write, C create, D delete, S submit, X cancel; `own`: only records the user created; "
			"`n:…`: rights on the fields at permission level n. Borrowers (role Member) read only their own "
			"records; User Permissions (e.g. a sales agent's branch) narrow a role further."
		),
		"",
		"Child tables, readable only with their parent record: " + ", ".join(children) + ".",
	]
	return "\n".join(lines) + "\n"


def replace_between_markers(text: str, table: str) -> str:
	"""``text`` with what lies between START and END replaced by ``table``. Raises ValueError without them."""
	start, end = text.index(START) + len(START), text.index(END)
	return text[:start] + "\n" + table + text[end:]


def section(text: str) -> str:
	"""What lies between the markers of ``text`` (stripped)."""
	return text[text.index(START) + len(START) : text.index(END)].strip()


def collect() -> str:
	"""The matrix of the current site (needs Frappe): the app's doctypes and the Frappe doctypes whose
	permissions the app customises (e.g. Version for the auditors)."""
	import frappe

	modules = frappe.get_all("Module Def", filters={"app_name": "pinjaman_online"}, pluck="name")
	doctypes = {
		d.name: {"istable": d.istable, "issingle": d.issingle}
		for d in frappe.get_all(
			"DocType", filters={"module": ("in", modules)}, fields=["name", "istable", "issingle"]
		)
	}
	std = frappe.get_all("DocPerm", fields=list(FIELDS))
	custom = frappe.get_all("Custom DocPerm", fields=list(FIELDS))
	return build(std, custom, doctypes)


def build(std: list[dict], custom: list[dict], doctypes: dict[str, dict]) -> str:
	"""The matrix from a site's DocPerm and Custom DocPerm rows and the app's doctypes (name → {"istable",
	"issingle"}), adding the doctypes outside the app on which a Custom DocPerm grants one of the app's roles
	(other than System Manager) a right."""
	doctypes = dict(doctypes)
	app_roles = {r["role"] for r in std if r["parent"] in doctypes} - {"System Manager"}
	for p in custom:
		if p["parent"] not in doctypes and p["role"] in app_roles:
			doctypes[p["parent"]] = {"istable": 0, "issingle": 0}
	return render(effective(std, custom), doctypes)


def update_readme(path: str | None = None) -> bool:
	"""Write the current site's matrix into the README between the markers. Returns True when it changed."""
	readme = Path(path) if path else README
	text = readme.read_text()
	new = replace_between_markers(text, collect())
	if new != text:
		readme.write_text(new)
	return new != text
