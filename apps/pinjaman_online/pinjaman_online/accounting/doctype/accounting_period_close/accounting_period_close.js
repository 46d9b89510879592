frappe.ui.form.on("Accounting Period Close", {
	refresh(frm) {
		if (frm.is_new() && !frm.doc.period) {
			const last = frappe.datetime.add_months(frappe.datetime.month_start(), -1);
			frm.set_value("period", last.slice(0, 7));
		}
		if (frm.doc.docstatus === 1) {
			frm.set_intro(
				__("The books are closed until {0}. Cancel this document to reopen the month.", [
					frappe.datetime.str_to_user(frm.doc.closing_date),
				]),
				"blue"
			);
		}
	},
});
