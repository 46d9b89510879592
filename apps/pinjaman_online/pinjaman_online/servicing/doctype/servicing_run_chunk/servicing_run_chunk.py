"""Servicing Run Chunk: one partition of a daily servicing run (a range of loan names), with its status
and figures; written by ``servicing.daily`` only."""

import frappe
from frappe.model.document import Document


class ServicingRunChunk(Document):
	pass


def on_doctype_update():
	"""Index: the chunks of a run in order."""
	frappe.db.add_index("Servicing Run Chunk", ["servicing_run", "run_number", "chunk_no"])
