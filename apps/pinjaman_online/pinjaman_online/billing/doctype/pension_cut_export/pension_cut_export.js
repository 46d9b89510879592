// Pension Cut Export: the instruction file and the lines.
frappe.ui.form.on("Pension Cut Export", {
	refresh(frm) {
		if (frm.doc.file) frm.add_custom_button(__("Download File"), () => window.open(frm.doc.file));
		if (frm.doc.docstatus === 1) {
			frm.add_custom_button(__("Lines"), () => frappe.set_route("List", "Pension Cut Export Line", { cut_export: frm.doc.name }));
		}
	},
});
