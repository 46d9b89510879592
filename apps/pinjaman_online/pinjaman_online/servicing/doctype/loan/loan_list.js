// One status vocabulary for a loan: its status, with the days past due as text and in the colour.
frappe.listview_settings["Loan"] = {
	add_fields: ["status", "days_past_due", "member_name"],
	get_indicator(doc) {
		const colors = {
			"Pending Disbursement": "orange",
			Active: "green",
			Closed: "gray",
			Default: "red",
			"Written Off": "darkgrey",
			Cancelled: "red",
		};
		const dpd = cint(doc.days_past_due);
		let label = __(doc.status, null, "Loan Status");
		let color = colors[doc.status] || "gray";
		if (dpd > 0 && (doc.status === "Active" || doc.status === "Default")) {
			label += " · " + __("{0} days past due", [dpd]);
			if (doc.status === "Active") color = dpd > 90 ? "red" : "orange";
		}
		return [label, color, `status,=,${doc.status}`];
	},
};
