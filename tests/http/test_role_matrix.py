"""The README's role matrix is the site's: rendered from the served site's DocPerms (as Administrator reads
them over REST) with the generator of bin/role-matrix, it must equal the README's text between the markers.
When it fails, run ``bin/role-matrix`` (after migrating a site) and commit the README."""

import json
from pathlib import Path

from pinjaman_online import role_matrix

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_role_matrix_is_the_sites(admin):
	fields = json.dumps(list(role_matrix.FIELDS))
	std = admin.call(
		"GET", "/api/resource/DocPerm", params={"parent": "DocType", "fields": fields, "limit_page_length": 0}
	).json()["data"]
	custom = admin.list("Custom DocPerm", fields=fields, limit_page_length=0)
	modules = [
		m["name"]
		for m in admin.list(
			"Module Def", filters=json.dumps({"app_name": "pinjaman_online"}), limit_page_length=0
		)
	]
	doctypes = {
		d["name"]: {"istable": d["istable"], "issingle": d["issingle"]}
		for d in admin.list(
			"DocType",
			fields=json.dumps(["name", "istable", "issingle"]),
			filters=json.dumps([["module", "in", modules]]),
			limit_page_length=0,
		)
	}
	site = role_matrix.build(std, custom, doctypes).strip()
	readme = role_matrix.section(README.read_text())
	assert readme == site, "README's role matrix differs from the site's DocPerms: run bin/role-matrix"
