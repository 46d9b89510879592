// A Loan Restructure is made from its Loan's actions; the form leads back to the loan.
frappe.ui.form.on("Loan Restructure", {
	refresh(frm) {
		if (!frm.is_new() && frm.doc.loan) {
			frm.add_custom_button(__("Open Loan {0}", [frm.doc.loan]), () =>
				frappe.set_route("Form", "Loan", frm.doc.loan)
			);
		}
	},
});
