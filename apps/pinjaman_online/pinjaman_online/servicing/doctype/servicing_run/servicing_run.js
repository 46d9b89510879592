// Servicing Run: progress of the run's chunks (live, from the chunk jobs), resume after a killed or failed chunk.
frappe.ui.form.on("Servicing Run", {
	refresh(frm) {
		if (frm.doc.status === "Running") {
			const done = frm.doc.chunks_completed || 0;
			frm.dashboard.show_progress(
				__("Daily servicing"),
				frm.doc.chunks ? (100 * done) / frm.doc.chunks : 0,
				__("{0} of {1} chunks", [done, frm.doc.chunks || 0])
			);
			if (frappe.user.has_role(["Koperasi Admin", "System Manager"])) {
				frm.add_custom_button(__("Resume Run"), () =>
					frappe
						.xcall("pinjaman_online.api.servicing.resume_daily_servicing", { as_of: frm.doc.run_date })
						.then(() => frm.reload_doc())
				);
			}
		}
		frm.add_custom_button(
			__("Chunks"),
			() => frappe.set_route("List", "Servicing Run Chunk", { servicing_run: frm.doc.name, run_number: frm.doc.runs }),
			__("View")
		);
		frm.add_custom_button(
			__("Penalty Accruals"),
			() => frappe.set_route("List", "Loan Penalty Accrual", { accrual_date: frm.doc.run_date }),
			__("View")
		);
	},
});

frappe.realtime.on("progress", (data) => {
	if (cur_frm && cur_frm.doctype === "Servicing Run" && cur_frm.doc.status === "Running") {
		cur_frm.dashboard.show_progress(__("Daily servicing"), data.percent, data.description || "");
		if (data.percent >= 100) cur_frm.reload_doc();
	}
});
