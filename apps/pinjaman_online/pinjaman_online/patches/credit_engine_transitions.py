"""borrower: existing sites get the Credit Engine role and its transitions in "Loan Application
Approval" (submit and decide mobile applications). New sites get them from the fixtures at install; this runs
once per site, so an admin who later edits or removes them keeps the edit."""

from pinjaman_online.setup.install import add_missing_transitions, seed_fixtures


def execute():
	seed_fixtures()  # the role Credit Engine must exist before a transition names it
	add_missing_transitions("Loan Application Approval", "Credit Engine")
