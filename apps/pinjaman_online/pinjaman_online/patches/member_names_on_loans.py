"""Fill the member's name on loans, loan payments and applications written without it (a loan is inserted
without fetching its links, so its name column stayed empty, and payments fetch it from the loan)."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabLoan` l join `tabMember` m on m.name = l.member
		set l.member_name = m.full_name where coalesce(l.member_name, '') = ''"""
	)
	frappe.db.sql(
		"""update `tabLoan Payment` p join `tabLoan` l on l.name = p.loan
		set p.member_name = l.member_name where coalesce(p.member_name, '') = ''"""
	)
	frappe.db.sql(
		"""update `tabLoan Application` a join `tabMember` m on m.name = a.member
		set a.member_name = m.full_name where coalesce(a.member_name, '') = ''"""
	)
