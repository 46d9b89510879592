// Pension Cut Export Line: what the imports realised on this instruction (its Pension Cut Realisations).
frappe.ui.form.on("Pension Cut Export Line", {
	refresh(frm) {
		const r = frm.doc.__onload && frm.doc.__onload.realisation;
		if (!r) return;
		const colour = { Realised: "green", "Partially Realised": "orange", Billed: "blue" }[r.status] || "gray";
		frm.page.set_indicator(__(r.status), colour);
		frm.dashboard.set_headline(
			__("Realised {0} of {1} billed ({2} realisations)", [
				format_currency(r.realised_amount, "IDR", 0),
				format_currency(r.amount, "IDR", 0),
				r.realisations,
			])
		);
	},
});
