// A Loan Payment is posted from its Loan (Record Payment); the form leads back to the loan and shows a
// reversed payment as reversed.
frappe.ui.form.on("Loan Payment", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.docstatus === 2) frm.page.set_indicator(__("Reversed"), "red");
		if (frm.doc.loan) {
			frm.add_custom_button(__("Open Loan {0}", [frm.doc.loan]), () =>
				frappe.set_route("Form", "Loan", frm.doc.loan)
			);
		}
	},
});
