"""Ledger on an existing site: install the chart of accounts and the default account of each role, then post an
Opening journal per loan for the principal it owed before the ledger (``accounting.setup.opening``)."""


def execute():
	from pinjaman_online.accounting.setup import install_chart
	from pinjaman_online.accounting.setup.opening import post_opening_journals

	install_chart()
	post_opening_journals()
