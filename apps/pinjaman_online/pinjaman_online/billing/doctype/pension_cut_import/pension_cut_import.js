// Pension Cut Import: progress of the matching job, resume after a failed or killed run, the results.
frappe.ui.form.on("Pension Cut Import", {
	refresh(frm) {
		if (frm.doc.docstatus !== 1) return;
		if (["Queued", "Matching"].includes(frm.doc.status)) {
			frm.dashboard.show_progress(__("Matching"), frm.doc.progress || 0, `${frm.doc.processed_lines || 0} / ${frm.doc.total_lines}`);
		}
		if (["Failed", "Queued", "Matching"].includes(frm.doc.status) && frm.perm[0].submit) {
			frm.add_custom_button(__("Resume Matching"), () =>
				frappe
					.xcall("pinjaman_online.api.billing.resume_import", { name: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
		frm.add_custom_button(__("Lines"), () => frappe.set_route("List", "Pension Cut Import Line", { cut_import: frm.doc.name }), __("View"));
		frm.add_custom_button(__("Exceptions"), () => frappe.set_route("List", "Reconciliation Exception", { cut_import: frm.doc.name }), __("View"));
		frm.add_custom_button(__("Refund Requests"), () => frappe.set_route("List", "Refund Request", { cut_import: frm.doc.name }), __("View"));
	},
});

frappe.realtime.on("progress", (data) => {
	if (cur_frm && cur_frm.doctype === "Pension Cut Import" && data.percent >= 100) cur_frm.reload_doc();
});
